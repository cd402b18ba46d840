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

/// <summary>Registry of helper functions by small integer id, with the function pointer for the interpreter and the MethodInfo for the IL backend.</summary>
public static unsafe class HelperTable
{
    static readonly Lock Sync = new();
    // Ids boxed: a Dictionary with reference-type values runs the framework's shared precompiled code, where one with
    // ushort values was JIT-compiled (~10 methods) at every start.
    static readonly Dictionary<MethodInfo, object> Ids = new();
    static MethodInfo[] _methods = new MethodInfo[256];
    static bool[] _vectorOnly = new bool[256];
    static bool[] _vectorMemory = new bool[256];
    static nint[] _pointers = new nint[256];
    static int _count = 1; // id 0 is reserved as "no helper"

    // Ids by delegate instance: the compiler caches a static method group's delegate per call site, so an emitter's
    // helper is found again without Delegate.Method, reflection that cost busybox true's translations ~1 ms (IrBuilder
    // .Call was 5.6% of its main thread).
    static readonly Dictionary<Delegate, object> ByDelegate = new(ReferenceEqualityComparer.Instance);
    const int MaxDelegates = 4096;

    /// <summary>The id of a static helper method, registering it on first use (translation time only).</summary>
    public static ushort Id(HelperFn fn) => IdOf(fn);

    /// <summary>The id of a static pure helper (same id space as <see cref="Id(HelperFn)"/>).</summary>
    public static ushort Id(PureFn fn) => IdOf(fn);

    static ushort IdOf(Delegate fn)
    {
        lock (Sync)
            if (ByDelegate.TryGetValue(fn, out var known)) return (ushort)known;
        ushort id = Register(fn.Method);
        lock (Sync)
            if (ByDelegate.Count < MaxDelegates) ByDelegate[fn] = id;
        return id;
    }

    static ushort Register(System.Reflection.MethodInfo m)
    {
        if (!m.IsStatic) throw new ArgumentException($"helper {m.Name} must be static");
        lock (Sync)
            if (Ids.TryGetValue(m, out var known)) return (ushort)known;
        // Reflection outside the lock: the warm-up and compile threads register dozens of helpers at start-up while
        // the vCPU translates, and the vCPU had waited on the lock for them (busybox true: ~2.7% of its main thread).
        bool vectorOnly = m.IsDefined(typeof(VectorStateOnlyAttribute), false) ||
            m.DeclaringType?.IsDefined(typeof(VectorStateOnlyAttribute), false) == true;
        bool vectorMemory = m.IsDefined(typeof(VectorStateAndMemoryAttribute), false);
        nint pointer = m.MethodHandle.GetFunctionPointer();
        lock (Sync)
        {
            if (Ids.TryGetValue(m, out var known)) return (ushort)known;
            if (_count == _methods.Length)
            {
                Array.Resize(ref _methods, _count * 2);
                Array.Resize(ref _pointers, _count * 2);
                Array.Resize(ref _vectorOnly, _count * 2);
                Array.Resize(ref _vectorMemory, _count * 2);
            }
            ushort id = checked((ushort)_count);
            _methods[id] = m;
            _vectorOnly[id] = vectorOnly;
            _vectorMemory[id] = vectorMemory;
            _pointers[id] = pointer;
            _count++;
            Ids[m] = id;
            return id;
        }
    }

    public static MethodInfo Method(ushort id) => _methods[id];

    /// <summary>True for helpers marked <see cref="VectorStateOnlyAttribute"/>: no fault, only vector state touched.</summary>
    public static bool IsVectorOnly(ushort id) => _vectorOnly[id];

    /// <summary>True for helpers marked <see cref="VectorStateAndMemoryAttribute"/>: of the state, only vector registers written.</summary>
    public static bool IsVectorAndMemory(ushort id) => _vectorMemory[id];

    /// <summary>Callable pointer of helper <paramref name="id"/>.</summary>
    public static delegate*<Vcpu, ulong, ulong, long, ulong> Pointer(ushort id) =>
        (delegate*<Vcpu, ulong, ulong, long, ulong>)_pointers[id];

    /// <summary>Callable pointer of pure helper <paramref name="id"/>.</summary>
    public static delegate*<ulong, ulong, ulong, long, ulong> PurePointer(ushort id) =>
        (delegate*<ulong, ulong, ulong, long, ulong>)_pointers[id];

    public static string Name(ushort id) => id > 0 && id < _count ? $"{_methods[id].DeclaringType?.Name}.{_methods[id].Name}" : $"helper#{id}";
}
