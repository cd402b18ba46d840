using System.Reflection;
using UserEmu.Engine;

namespace UserEmu.IR;

/// <summary>A guest-semantics routine the IR calls for work too rare or too complex to express in IR ops.</summary>
/// <remarks>
/// <paramref name="a"/> and <paramref name="b"/> are IR temps (often an effective address and a value);
/// <paramref name="imm"/> is a translation-time constant (for x86 helpers: an index into <c>InsnTable</c>).
/// Helpers may throw <see cref="GuestSignalException"/> or a memory fault; the PC is already recorded.
/// </remarks>
public delegate ulong HelperFn(Vcpu cpu, ulong a, ulong b, long imm);

/// <summary>A helper that is a function of its operands alone (see <see cref="IrOp.PureCall"/>).</summary>
public delegate ulong PureFn(ulong a, ulong b, ulong c, long imm);

/// <summary>Registry of helper functions by small integer id: the delegate the interpreter calls, and the method behind it, read by reflection only off the vCPU's path.</summary>
/// <remarks>
/// Registering takes no reflection: a NativeAOT engine's first use of it (Delegate.Method builds a reverse map of every
/// method's entry point) cost the first translation of every process ~1.2 ms of its main thread (busybox true ~17 ms).
/// Ids are found by delegate equality, which compares target methods without it, so a method has one id whichever call
/// site's delegate meets it first. The methods' effect attributes (<see cref="VectorStateOnlyAttribute"/>,
/// <see cref="VectorStateAndMemoryAttribute"/>, <see cref="VectorStateAndMxcsrAttribute"/>) are read later by <see cref="ReadEffects"/> on the native compile
/// thread; until then a helper counts as touching any state, the answer that is always safe: only the optimisations
/// that the attributes allow wait for them.
/// </remarks>
public static class HelperTable
{
    const byte Unread = 0, AnyState = 1, VectorOnly = 2, VectorAndMemory = 3, VectorAndMxcsr = 4;

    static readonly Lock Sync = new();
    // Ids boxed: a Dictionary with reference-type values runs the framework's shared precompiled code, where one with
    // ushort values was JIT-compiled (~10 methods) at every start.
    static readonly Dictionary<Delegate, object> Ids = new();
    // By instance first: the compiler caches a static method group's delegate per call site, and a delegate's equality
    // with another can take a slow path (CoreCLR hashes every delegate of a type alike).
    static readonly Dictionary<Delegate, object> ByInstance = new(ReferenceEqualityComparer.Instance);
    const int MaxInstances = 4096;
    static Delegate[] _delegates = new Delegate[256];
    static HelperFn?[] _helpers = new HelperFn?[256];
    static PureFn?[] _pure = new PureFn?[256];
    static MethodInfo?[] _methods = new MethodInfo?[256];
    static byte[] _effects = new byte[256];
    static int _count = 1; // id 0 is reserved as "no helper"
    static int _effectsRead = 1; // ids below this have their effects read
    // Set while a native compile thread reads effects in the background; without one, the first query reads them.
    static int s_backgroundReader;

    /// <summary>The id of a static helper method, registering it on first use (translation time only).</summary>
    public static ushort Id(HelperFn fn) => IdOf(fn);

    /// <summary>The id of a static pure helper (same id space as <see cref="Id(HelperFn)"/>).</summary>
    public static ushort Id(PureFn fn) => IdOf(fn);

    static ushort IdOf(Delegate fn)
    {
        // The IL backend calls the method itself; a lambda's or instance method's delegate carries its target.
        if (fn.Target != null) throw new ArgumentException("a helper must be a static method", nameof(fn));
        lock (Sync)
        {
            if (ByInstance.TryGetValue(fn, out var known)) return (ushort)known;
            if (!Ids.TryGetValue(fn, out known))
            {
                if (_count == _delegates.Length) Grow();
                ushort id = checked((ushort)_count);
                _delegates[id] = fn;
                _helpers[id] = fn as HelperFn;
                _pure[id] = fn as PureFn;
                _count++;
                Ids[fn] = known = id;
            }
            if (ByInstance.Count < MaxInstances) ByInstance[fn] = known;
            return (ushort)known;
        }
    }

    static void Grow()
    {
        int n = _count * 2;
        Array.Resize(ref _delegates, n);
        Array.Resize(ref _helpers, n);
        Array.Resize(ref _pure, n);
        Array.Resize(ref _methods, n);
        Array.Resize(ref _effects, n);
    }

    /// <summary>Reads the effect attributes of the helpers registered since the last call (reflection: not on a vCPU's critical path).</summary>
    public static void ReadEffects()
    {
        // Nothing new (the common case, once per block the compile thread takes): no lock.
        if (Volatile.Read(ref _effectsRead) >= Volatile.Read(ref _count)) return;
        while (true)
        {
            ushort id;
            Delegate fn;
            lock (Sync)
            {
                if (_effectsRead >= _count) return;
                id = (ushort)_effectsRead;
                fn = _delegates[id];
            }
            var m = fn.Method;
            byte effects = Marked(m, typeof(VectorStateOnlyAttribute)) ? VectorOnly
                : m.IsDefined(typeof(VectorStateAndMemoryAttribute), false) ? VectorAndMemory
                : Marked(m, typeof(VectorStateAndMxcsrAttribute)) ? VectorAndMxcsr
                : AnyState;
            lock (Sync)
            {
                _methods[id] ??= m;
                _effects[id] = effects;
                if (_effectsRead == id) _effectsRead = id + 1;
            }
        }
    }

    // The method or its class carries the attribute.
    static bool Marked(MethodInfo m, Type attribute) => m.IsDefined(attribute, false) || m.DeclaringType?.IsDefined(attribute, false) == true;

    /// <summary>Called by a native compile thread as it starts (<paramref name="on"/>) and in a forked child that has none: while one runs, queries leave unread effects to it.</summary>
    public static void ReadEffectsInBackground(bool on) => Volatile.Write(ref s_backgroundReader, on ? 1 : 0);

    static byte Effects(ushort id)
    {
        byte e = Volatile.Read(ref _effects)[id];
        if (e != Unread) return e;
        if (Volatile.Read(ref s_backgroundReader) == 0)
        {
            ReadEffects();
            e = Volatile.Read(ref _effects)[id];
        }
        if (e == Unread) t_unreadAnswers++;
        return e;
    }

    [ThreadStatic] static int t_unreadAnswers;

    /// <summary>How many effect queries on this thread were answered before the helper's effects were read (and so as touching any state): a translation that got one may come out differently later.</summary>
    public static int UnreadAnswers => t_unreadAnswers;

    /// <summary>The helper's method (reflection, read on first use: for the IL backend and names).</summary>
    public static MethodInfo Method(ushort id)
    {
        if (Volatile.Read(ref _methods)[id] is { } m) return m;
        var fn = Volatile.Read(ref _delegates)[id];
        m = fn.Method;
        lock (Sync) _methods[id] ??= m;
        return m;
    }

    /// <summary>True for helpers marked <see cref="VectorStateOnlyAttribute"/> whose effects have been read: no fault, only vector state touched.</summary>
    public static bool IsVectorOnly(ushort id) => Effects(id) == VectorOnly;

    /// <summary>True for helpers marked <see cref="VectorStateAndMemoryAttribute"/> whose effects have been read: of the state, only vector registers written.</summary>
    public static bool IsVectorAndMemory(ushort id) => Effects(id) == VectorAndMemory;

    /// <summary>True for helpers marked <see cref="VectorStateAndMxcsrAttribute"/> whose effects have been read: of the state, only vector registers and MXCSR written.</summary>
    public static bool IsVectorAndMxcsr(ushort id) => Effects(id) == VectorAndMxcsr;

    /// <summary>True for helpers that write no state but the vector registers and, for <see cref="VectorStateAndMxcsrAttribute"/>, MXCSR (any of the three attributes, once read): the general registers and flags stay as they were.</summary>
    public static bool WritesOnlyVectorState(ushort id) => Effects(id) is VectorOnly or VectorAndMemory or VectorAndMxcsr;

    /// <summary>The function of helper <paramref name="id"/>.</summary>
    public static HelperFn Function(ushort id) => Volatile.Read(ref _helpers)[id]!;

    /// <summary>The function of pure helper <paramref name="id"/>.</summary>
    public static PureFn PureFunction(ushort id) => Volatile.Read(ref _pure)[id]!;

    public static string Name(ushort id) => id > 0 && id < _count && Method(id) is var m ? $"{m.DeclaringType?.Name}.{m.Name}" : $"helper#{id}";
}
