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

    /// <summary>The table with every family registered (families are listed in <see cref="X86Families"/>).</summary>
    public static readonly X86EmitterTable Default = Build();

    /// <summary>
    /// Starts building <see cref="Default"/> on a background thread, so that its ~30 ms (the MMX and VEX form tables
    /// are derived from Iced's code names) overlap the rest of start-up; the first translation waits for it in the
    /// static constructor. The thread has finished before any guest code runs, so it is never copied by a guest fork.
    /// </summary>
    public static void BuildInBackground() =>
        new Thread(() => _ = Default) { IsBackground = true, Name = "useremu tables" }.Start();

    static X86EmitterTable Build()
    {
        var t = new X86EmitterTable();
        X86Families.RegisterAll(t);
        return t;
    }
}
