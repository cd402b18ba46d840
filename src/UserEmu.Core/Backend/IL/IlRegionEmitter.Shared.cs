using System.Reflection.Emit;
using UserEmu.Engine;
using UserEmu.IR;

namespace UserEmu.Backend.IL;

/// <summary>
/// Out-of-line sequences shared by every site of a region: the state write-back and reload around helper calls and
/// slow memory paths, and the write-back before returning to the dispatcher. Emitted once at the end of the method
/// and reached by a branch (returning through an IL <c>switch</c> on the site number), they keep a region's IL small:
/// inline, the write-backs were most of it, and past ~8,000 local references RyuJIT compiles without optimising.
/// </summary>
sealed partial class IlRegionEmitter
{
    /// <summary>A shared sequence: its entry label and the continuation label of each site that uses it.</summary>
    sealed class SharedSequence(Action body)
    {
        public readonly Action Body = body;
        public Label Entry;
        public readonly List<Label> Continuations = [];
    }

    LocalBuilder? _site, _exitCode;
    SharedSequence? _writeBackAll, _writeBackVector, _reloadAll, _reloadVector;
    Label? _exitLabel;

    bool HasSlots(bool vectorOnly)
    {
        foreach (var (off, s) in _slots)
            if (!vectorOnly || VectorStateOnlyAttribute.Overlaps(off, s.Size)) return true;
        return false;
    }

    bool HasDirtySlots(bool vectorOnly)
    {
        foreach (var (off, s) in _slots)
            if (s.Dirty && (!vectorOnly || VectorStateOnlyAttribute.Overlaps(off, s.Size))) return true;
        return false;
    }

    /// <summary>Runs <paramref name="seq"/> out of line and continues here.</summary>
    void CallShared(SharedSequence seq)
    {
        _site ??= _il.DeclareLocal(typeof(int));
        if (seq.Continuations.Count == 0) seq.Entry = _il.DefineLabel();
        var back = _il.DefineLabel();
        _il.Emit(OpCodes.Ldc_I4, seq.Continuations.Count);
        _il.Emit(OpCodes.Stloc, _site);
        seq.Continuations.Add(back);
        _il.Emit(OpCodes.Br, seq.Entry);
        _il.MarkLabel(back);
    }

    /// <summary>Writes the promoted state back before code that reads it from memory or may fault.</summary>
    void SharedWriteBack(bool vectorOnly)
    {
        if (!HasDirtySlots(vectorOnly)) return;
        CallShared(vectorOnly ? _writeBackVector ??= new(() => WriteBack(true)) : _writeBackAll ??= new(() => WriteBack(false)));
    }

    /// <summary>Reloads the promoted state after code that may have changed it in memory.</summary>
    void SharedReload(bool vectorOnly)
    {
        if (!HasSlots(vectorOnly)) return;
        CallShared(vectorOnly ? _reloadVector ??= new(() => LoadSlots(true)) : _reloadAll ??= new(() => LoadSlots(false)));
    }

    /// <summary>Writes the state back and returns <paramref name="exit"/> to the dispatcher (RIP already set).</summary>
    void ExitRegion(BlockExit exit)
    {
        _exitCode ??= _il.DeclareLocal(typeof(int));
        _exitLabel ??= _il.DefineLabel();
        _il.Emit(OpCodes.Ldc_I4, (int)exit);
        _il.Emit(OpCodes.Stloc, _exitCode);
        _il.Emit(OpCodes.Br, _exitLabel.Value);
    }

    /// <summary>Emits the shared sequences after the region's blocks (all of which end in a branch or return).</summary>
    void EmitSharedSequences()
    {
        foreach (var seq in new[] { _writeBackAll, _writeBackVector, _reloadAll, _reloadVector })
        {
            if (seq == null || seq.Continuations.Count == 0) continue;
            _il.MarkLabel(seq.Entry);
            seq.Body();
            _il.Emit(OpCodes.Ldloc, _site!);
            _il.Emit(OpCodes.Switch, seq.Continuations.ToArray());
            _il.Emit(OpCodes.Br, seq.Continuations[0]); // not reached: the site number is always in range
        }
        EmitChainExits();
        if (_exitLabel is { } exit)
        {
            _il.MarkLabel(exit);
            WriteBack(false);
            _il.Emit(OpCodes.Ldloc, _exitCode!);
            _il.Emit(OpCodes.Ret);
        }
    }
}
