using UserEmu.Engine;
using UserEmu.IR;
using Xunit;

namespace UserEmu.Tests.Dispatch;

/// <summary>The translation cache's table of blocks by PC against a dictionary, through growth and removals that shift probe runs (and their tags) back.</summary>
public class BlockTableTests
{
    static TranslationBlock Block(ulong pc) => new(new IrBlock
    {
        GuestPc = pc, GuestEnd = pc + 1, Code = [new IrInstr { Op = IrOp.Jump, Imm = (long)pc + 1 }], TempCount = 0, GuestInstructionCount = 1,
    }, process: null!);

    [Fact]
    public void AgreesWithADictionaryThroughAddsAndRemovals()
    {
        var random = new Random(7);
        var table = new BlockTable();
        var model = new Dictionary<ulong, TranslationBlock>();
        // Few distinct PCs, close together and aligned as code is: long probe runs, and every removal inside one.
        var pcs = Enumerable.Range(0, 3000).Select(n => 0x40_0000UL + (ulong)n * 16).ToArray();
        for (int step = 0; step < 60_000; step++)
        {
            ulong pc = pcs[random.Next(pcs.Length)];
            if (model.TryGetValue(pc, out var held) && random.Next(3) != 0)
            {
                // Removing another block at the same PC leaves the held one.
                table.Remove(Block(pc));
                Assert.Same(held, table.Find(pc));
                table.Remove(held);
                model.Remove(pc);
            }
            else if (!model.ContainsKey(pc))
            {
                var tb = Block(pc);
                table.Add(tb);
                model[pc] = tb;
            }
            if (step % 1000 == 0)
                foreach (ulong p in pcs)
                {
                    Assert.Same(model.GetValueOrDefault(p), table.Find(p));
                    // Never added: a slot whose tag matches by chance still holds another PC.
                    Assert.Null(table.Find(p + 8));
                }
        }
        Assert.Equal(model.Count, table.Count);
        Assert.Equal(model.Values.OrderBy(tb => tb.Pc), table.Blocks().OrderBy(tb => tb.Pc));
        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.Null(table.Find(pcs[0]));
    }

    [Fact]
    public void AReaderWithoutTheLockGetsTheBlockAtItsPcOrNothing()
    {
        // One thread adds, removes (shifting probe runs back), grows and clears the table; another reads it without
        // the lock throughout: it may miss a block, but any block it gets is the one at the PC it asked for.
        var table = new BlockTable();
        var pcs = Enumerable.Range(0, 6000).Select(n => 0x40_0000UL + (ulong)n * 16).ToArray();
        var blocks = pcs.Select(Block).ToArray();
        using var done = new ManualResetEventSlim();
        long reads = 0, found = 0;
        Exception? failure = null;
        var reader = new Thread(() =>
        {
            try
            {
                for (int n = 0; !done.IsSet || n < pcs.Length; n++)
                {
                    ulong pc = pcs[n % pcs.Length];
                    var tb = table.FindUnlocked(pc);
                    if (tb != null && tb.Pc != pc) throw new InvalidOperationException($"0x{pc:x} gave the block at 0x{tb.Pc:x}");
                    if (tb != null) found++;
                    reads++;
                }
            }
            catch (Exception e) { failure = e; }
        });
        reader.Start();
        var random = new Random(11);
        for (int round = 0; round < 40 && failure == null; round++)
        {
            // From an empty table of 1024 slots to ~6000 blocks: several growths a round.
            foreach (var tb in blocks) table.Add(tb);
            for (int k = 0; k < 3000; k++) table.Remove(blocks[random.Next(blocks.Length)]);
            table.Clear();
        }
        done.Set();
        reader.Join();
        Assert.Null(failure);
        Assert.True(found > 0 && reads > found, $"{found} of {reads} reads found a block");
    }

    [Fact]
    public void ABlockWhoseTagMatchesByChanceIsNotAnotherPcs()
    {
        // Two PCs with one home in a new table's 1024 slots and one tag: the second's probe meets the first's slot.
        var seen = new Dictionary<(int, byte), ulong>();
        ulong first = 0, second = 0;
        for (ulong pc = 0x40_0000; second == 0; pc += 16)
        {
            var key = (BlockTable.Home(pc, 1024), BlockTable.Tag(pc));
            if (seen.TryGetValue(key, out first)) second = pc;
            else seen[key] = pc;
        }
        var table = new BlockTable();
        var a = Block(first);
        table.Add(a);
        Assert.Null(table.Find(second));
        var b = Block(second);
        table.Add(b);
        Assert.Same(a, table.Find(first));
        Assert.Same(b, table.Find(second));
        table.Remove(a);
        Assert.Null(table.Find(first));
        Assert.Same(b, table.Find(second));
    }
}
