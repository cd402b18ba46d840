namespace UserEmu.Backend.Native;

/// <summary>A growable list of structs, reused from block to block.</summary>
/// <remarks>
/// The framework's List&lt;T&gt; over a struct of ours has no ReadyToRun code (the framework is outside our version bubble),
/// so each such list cost JIT-compiled methods on every start; this generic is ours, so its instantiations are
/// precompiled. Element types are named structs for the same reason (not ValueTuples).
/// </remarks>
sealed class ScratchList<T> where T : struct
{
    T[] _items;

    public ScratchList(int capacity = 16) => _items = new T[capacity];

    public int Count { get; private set; }

    public ref T this[int index] => ref _items[index];

    public void Add(T item)
    {
        if (Count == _items.Length)
        {
            var bigger = new T[Math.Max(4, Count * 2)];
            Array.Copy(_items, bigger, Count);
            _items = bigger;
        }
        _items[Count++] = item;
    }

    public void Clear() => Count = 0;

    public ReadOnlySpan<T> AsSpan() => _items.AsSpan(0, Count);

    /// <summary>Keeps the first <paramref name="count"/> items.</summary>
    public void Truncate(int count) => Count = count;
}
