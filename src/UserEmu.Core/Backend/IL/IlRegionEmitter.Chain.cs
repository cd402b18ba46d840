using System.Reflection;
using System.Reflection.Emit;
using UserEmu.Cpu.X86;
using UserEmu.Engine;

namespace UserEmu.Backend.IL;

/// <summary>
/// Region exits that continue in compiled code without the dispatcher: a direct exit tail-calls the region its
/// <see cref="RegionLinks"/> slot names; an indirect one (ret, jmp reg) looks its target up in the vCPU's jump cache.
/// Either falls back to returning to the dispatcher when the target is not compiled, was invalidated, or a signal
/// or a stop-the-world request is pending (the vCPU's <see cref="CpuState.Interrupt"/> word).
/// </summary>
sealed partial class IlRegionEmitter
{
    static readonly FieldInfo LinkTargets = typeof(RegionLinks).GetField(nameof(RegionLinks.Targets))!;
    static readonly MethodInfo TbPc = typeof(TranslationBlock).GetProperty(nameof(TranslationBlock.Pc))!.GetMethod!;
    static readonly FieldInfo TbValid = typeof(TranslationBlock).GetField(nameof(TranslationBlock.Valid))!;
    static readonly FieldInfo TbCompiled = typeof(TranslationBlock).GetField(nameof(TranslationBlock.Compiled))!;
    static readonly FieldInfo CpuJumpCache = typeof(Vcpu).GetField(nameof(Vcpu.JumpCache))!;
    static readonly FieldInfo CpuLinkFrom = typeof(Vcpu).GetField(nameof(Vcpu.LinkFrom))!;
    static readonly FieldInfo CpuLinkExit = typeof(Vcpu).GetField(nameof(Vcpu.LinkExit))!;
    static readonly MethodInfo Invoke = typeof(CompiledBlock).GetMethod("Invoke")!;

    readonly bool _chain;
    LocalBuilder? _linkSite, _nextTb, _nextPc;
    Label? _directExit, _indirectExit;

    /// <summary>Number of direct exit slots the region uses (the size of its <see cref="RegionLinks"/>).</summary>
    public int DirectExits { get; private set; }

    /// <summary>Leaves for a constant target outside the region (RIP already set).</summary>
    void ExitDirect()
    {
        if (!_chain)
        {
            ExitRegion(BlockExit.Next);
            return;
        }
        _linkSite ??= _il.DeclareLocal(typeof(int));
        _directExit ??= _il.DefineLabel();
        _il.Emit(OpCodes.Ldc_I4, DirectExits++);
        _il.Emit(OpCodes.Stloc, _linkSite);
        _il.Emit(OpCodes.Br, _directExit.Value);
    }

    /// <summary>Returns <paramref name="exit"/> to the dispatcher (RIP already set).</summary>
    void ExitRegion(BlockExit exit)
    {
        _il.Emit(OpCodes.Ldc_I4, (int)exit);
        _il.Emit(OpCodes.Ret);
    }

    /// <summary>Leaves for the target already stored in RIP.</summary>
    void ExitIndirect()
    {
        if (!_chain)
        {
            ExitRegion(BlockExit.Next);
            return;
        }
        _indirectExit ??= _il.DefineLabel();
        _il.Emit(OpCodes.Br, _indirectExit.Value);
    }

    void EmitChainExits()
    {
        _nextTb ??= _il.DeclareLocal(typeof(TranslationBlock));
        if (_directExit is { } direct)
        {
            _il.MarkLabel(direct);
            var unlinked = _il.DefineLabel();
            _il.Emit(OpCodes.Ldarg_0);
            _il.Emit(OpCodes.Ldfld, LinkTargets);
            _il.Emit(OpCodes.Ldloc, _linkSite!);
            _il.Emit(OpCodes.Ldelem_Ref);
            _il.Emit(OpCodes.Stloc, _nextTb);
            TailCallNext(unlinked);
            // Ask the dispatcher to fill this slot once it has found the target.
            _il.MarkLabel(unlinked);
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Ldarg_0);
            _il.Emit(OpCodes.Stfld, CpuLinkFrom);
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Ldloc, _linkSite!);
            _il.Emit(OpCodes.Stfld, CpuLinkExit);
            _il.Emit(OpCodes.Ldc_I4, (int)BlockExit.Next);
            _il.Emit(OpCodes.Ret);
        }
        if (_indirectExit is { } indirect)
        {
            _il.MarkLabel(indirect);
            var miss = _il.DefineLabel();
            _nextPc ??= _il.DeclareLocal(typeof(ulong));
            StatePtr(CpuState.OffRip);
            _il.Emit(OpCodes.Ldind_I8);
            _il.Emit(OpCodes.Stloc, _nextPc);
            // cpu.JumpCache[(pc ^ (pc >> bits)) & mask], as CpuLoop.Find hashes it.
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Ldfld, CpuJumpCache);
            _il.Emit(OpCodes.Ldloc, _nextPc);
            _il.Emit(OpCodes.Ldloc, _nextPc);
            _il.Emit(OpCodes.Ldc_I4, Vcpu.JumpCacheBits);
            _il.Emit(OpCodes.Shr_Un);
            _il.Emit(OpCodes.Xor);
            _il.Emit(OpCodes.Conv_I4);
            _il.Emit(OpCodes.Ldc_I4, (1 << Vcpu.JumpCacheBits) - 1);
            _il.Emit(OpCodes.And);
            _il.Emit(OpCodes.Ldelem_Ref);
            _il.Emit(OpCodes.Stloc, _nextTb);
            _il.Emit(OpCodes.Ldloc, _nextTb);
            _il.Emit(OpCodes.Brfalse, miss);
            _il.Emit(OpCodes.Ldloc, _nextTb);
            _il.Emit(OpCodes.Call, TbPc);
            _il.Emit(OpCodes.Ldloc, _nextPc);
            _il.Emit(OpCodes.Bne_Un, miss);
            TailCallNext(miss);
            _il.MarkLabel(miss);
            _il.Emit(OpCodes.Ldc_I4, (int)BlockExit.Next);
            _il.Emit(OpCodes.Ret);
        }
    }

    /// <summary>Tail-calls <c>_nextTb</c>'s compiled code if it is there, valid and nothing is pending; else goes to <paramref name="fallback"/>.</summary>
    void TailCallNext(Label fallback)
    {
        _il.Emit(OpCodes.Ldloc, _nextTb!);
        _il.Emit(OpCodes.Brfalse, fallback);
        IlBlockCompiler.EmitLoadInterrupt(_il);
        _il.Emit(OpCodes.Brtrue, fallback);
        _il.Emit(OpCodes.Ldloc, _nextTb!);
        _il.Emit(OpCodes.Volatile);
        _il.Emit(OpCodes.Ldfld, TbValid);
        _il.Emit(OpCodes.Brfalse, fallback);
        _il.Emit(OpCodes.Ldloc, _nextTb!);
        _il.Emit(OpCodes.Ldfld, TbCompiled);
        _il.Emit(OpCodes.Dup);
        var go = _il.DefineLabel();
        _il.Emit(OpCodes.Brtrue, go);
        _il.Emit(OpCodes.Pop);
        _il.Emit(OpCodes.Br, fallback);
        _il.MarkLabel(go);
        _il.Emit(OpCodes.Ldarg_1);
        _il.Emit(OpCodes.Ldarg_2);
        // An explicit tail call: a chain of any length runs in constant host stack.
        _il.Emit(OpCodes.Tailcall);
        _il.Emit(OpCodes.Callvirt, Invoke);
        _il.Emit(OpCodes.Ret);
    }
}
