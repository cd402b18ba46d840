using Iced.Intel;

namespace UserEmu.Frontend.X86;

/// <summary>Maps each Iced mnemonic to its lowering routine; each instruction family registers its own entries.</summary>
public sealed class X86EmitterTable
{
    readonly InsnEmitter?[] _byMnemonic = new InsnEmitter?[IcedCodeNames.MnemonicCount];

    public InsnEmitter? this[Mnemonic m]
    {
        get => _byMnemonic[(int)m];
        set => _byMnemonic[(int)m] = value;
    }

    /// <summary>Registers one routine for several mnemonics.</summary>
    public void Add(InsnEmitter emitter, params Mnemonic[] mnemonics)
    {
        foreach (var m in mnemonics) _byMnemonic[(int)m] = emitter;
    }

    /// <summary>The table with every family registered (families are listed in <see cref="X86Families"/>); built on the start-up thread of <see cref="Engine.StartupWarmUp"/>.</summary>
    public static readonly X86EmitterTable Default = Build();

    static X86EmitterTable Build()
    {
        var t = new X86EmitterTable();
        X86Families.RegisterAll(t);
        return t;
    }
}
