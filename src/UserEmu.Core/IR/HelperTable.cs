using System.Reflection;
using UserEmu.Engine;

namespace UserEmu.IR;

/// <summary>A guest-semantics routine the IR calls for work too rare or too complex to express in IR ops.</summary>
/// <remarks>
/// <paramref name="a"/> and <paramref name="b"/> are IR temps (often an effective address and a value);
/// <paramref name="imm"/> is a translation-time constant the helper decodes (for SignalHelpers.Raise: an index into <c>InsnTable</c>).
/// Helpers may throw <see cref="GuestSignalException"/> or a memory fault; the PC is already recorded.
/// </remarks>
public delegate ulong HelperFn(Vcpu cpu, ulong a, ulong b, long imm);

/// <summary>A helper that is a function of its operands alone (see <see cref="IrOp.PureCall"/>).</summary>
public delegate ulong PureFn(ulong a, ulong b, ulong c, long imm);

/// <summary>Registry of helper functions by small integer id: the delegate the interpreter calls, and the method behind it, read by reflection only for names and the IL backend.</summary>
/// <remarks>
/// Registering takes no reflection: a NativeAOT engine's first use of it (Delegate.Method builds a reverse map of every
/// method's entry point) cost the first translation of every process ~1.2 ms of its main thread (busybox true ~17 ms).
/// Ids are found by delegate equality, which compares target methods without it, so a method has one id whichever call
/// site's delegate meets it first. The effects a helper may have (<see cref="VectorStateOnlyAttribute"/>,
/// <see cref="VectorStateAndMemoryAttribute"/>, <see cref="VectorStateAndMxcsrAttribute"/>) come from the
/// <see cref="HelperCatalog"/>, which lists them as data: read by reflection on the native compile thread, they had
/// been a third of its start-up in busybox true, and a translation made before they were read came out differently
/// (it could neither drop its IR nor be kept in the code cache).
/// </remarks>
public static class HelperTable
{
    const byte Unread = 0;
    internal const byte AnyState = (byte)HelperEffects.AnyState, VectorOnly = (byte)HelperEffects.VectorOnly,
        VectorAndMemory = (byte)HelperEffects.VectorAndMemory, VectorAndMxcsr = (byte)HelperEffects.VectorAndMxcsr;

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

    // What helper `id` may touch: from the catalog, without reflection, for the engine's helpers; from its method's
    // attributes for others (tests'). Read at the first query (a race reads it twice, alike).
    static byte Effects(ushort id)
    {
        byte e = Volatile.Read(ref _effects)[id];
        if (e != Unread) return e;
        e = HelperCatalog.NumberOf(id) is >= 0 and var n ? (byte)HelperCatalog.EffectsOf(n) : AttributeEffects(Method(id));
        lock (Sync) _effects[id] = e;
        return e;
    }

    /// <summary>The effects <paramref name="m"/>'s attributes (or its class's) declare.</summary>
    internal static byte AttributeEffects(MethodInfo m) =>
        Marked(m, typeof(VectorStateOnlyAttribute)) ? VectorOnly
        : m.IsDefined(typeof(VectorStateAndMemoryAttribute), false) ? VectorAndMemory
        : Marked(m, typeof(VectorStateAndMxcsrAttribute)) ? VectorAndMxcsr
        : AnyState;

    // The method or its class carries the attribute.
    static bool Marked(MethodInfo m, Type attribute) => m.IsDefined(attribute, false) || m.DeclaringType?.IsDefined(attribute, false) == true;

    /// <summary>The helper's method (reflection, read on first use: for the IL backend and names).</summary>
    public static MethodInfo Method(ushort id)
    {
        if (Volatile.Read(ref _methods)[id] is { } m) return m;
        var fn = Volatile.Read(ref _delegates)[id];
        m = fn.Method;
        lock (Sync) _methods[id] ??= m;
        return m;
    }

    /// <summary>True for helpers marked <see cref="VectorStateOnlyAttribute"/>: no fault, only vector state touched.</summary>
    public static bool IsVectorOnly(ushort id) => Effects(id) == VectorOnly;

    /// <summary>True for helpers marked <see cref="VectorStateAndMemoryAttribute"/>: of the state, only vector registers written.</summary>
    public static bool IsVectorAndMemory(ushort id) => Effects(id) == VectorAndMemory;

    /// <summary>True for helpers marked <see cref="VectorStateAndMxcsrAttribute"/>: of the state, only vector registers and MXCSR written.</summary>
    public static bool IsVectorAndMxcsr(ushort id) => Effects(id) == VectorAndMxcsr;

    /// <summary>True for helpers that write no state but the vector registers and, for <see cref="VectorStateAndMxcsrAttribute"/>, MXCSR (any of the three attributes): the general registers and flags stay as they were.</summary>
    public static bool WritesOnlyVectorState(ushort id) => Effects(id) is VectorOnly or VectorAndMemory or VectorAndMxcsr;

    /// <summary>The delegate helper <paramref name="id"/> was registered with.</summary>
    public static Delegate DelegateOf(ushort id) => Volatile.Read(ref _delegates)[id];

    /// <summary>The function of helper <paramref name="id"/>.</summary>
    public static HelperFn Function(ushort id) => Volatile.Read(ref _helpers)[id]!;

    /// <summary>The function of pure helper <paramref name="id"/>.</summary>
    public static PureFn PureFunction(ushort id) => Volatile.Read(ref _pure)[id]!;

    public static string Name(ushort id) => id > 0 && id < _count && Method(id) is var m ? $"{m.DeclaringType?.Name}.{m.Name}" : $"helper#{id}";
}
