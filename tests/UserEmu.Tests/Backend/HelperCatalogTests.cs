using System.Reflection;
using UserEmu.IR;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>The helper catalog lists every helper of the engine, with the effects its attributes declare, under numbers that round-trip through this process's ids.</summary>
public class HelperCatalogTests
{
    // An entry as HelperCatalog.cs spells it.
    static string Line(MethodInfo m, HelperEffects effects) =>
        $"({nameof(HelperEffects)}.{effects}, ({(m.GetParameters()[0].ParameterType == typeof(UserEmu.Engine.Vcpu) ? nameof(HelperFn) : nameof(PureFn))})global::{m.DeclaringType!.FullName!.Replace('+', '.')}.{m.Name}),";

    static bool IsHelper(MethodInfo m)
    {
        if (m.ReturnType != typeof(ulong) || m.IsGenericMethodDefinition) return false;
        var p = m.GetParameters().Select(x => x.ParameterType).ToArray();
        return p.SequenceEqual([typeof(UserEmu.Engine.Vcpu), typeof(ulong), typeof(ulong), typeof(long)])
            || p.SequenceEqual([typeof(ulong), typeof(ulong), typeof(ulong), typeof(long)]);
    }

    [Fact]
    public void EveryHelperIsListedWithTheEffectsOfItsAttributes()
    {
        var expected = typeof(HelperTable).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(IsHelper)
            .Select(m => Line(m, (HelperEffects)HelperTable.AttributeEffects(m)))
            .ToHashSet();
        var listed = HelperCatalog.All.Select((fn, n) => Line(fn.Method, HelperCatalog.EffectsOf(n))).ToList();
        var missing = expected.Except(listed).Order().ToList();
        var extra = listed.Except(expected).Order().ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"HelperCatalog.Entries: add\n{string.Join("\n", missing)}\nand remove\n{string.Join("\n", extra)}");
        Assert.Equal(listed.Count, listed.Distinct().Count());
    }

    [Fact]
    public void NumbersAndIdsRoundTrip()
    {
        for (int n = 0; n < HelperCatalog.All.Length; n++)
        {
            ushort id = HelperCatalog.IdOf(n);
            Assert.NotEqual(0, id);
            Assert.Equal(n, HelperCatalog.NumberOf(id));
            Assert.Equal(HelperCatalog.All[n].Method, HelperTable.Method(id));
        }
        Assert.Equal(0, HelperCatalog.IdOf(HelperCatalog.All.Length));
    }

    [Fact]
    public void HelpersWhoseImmediatesIndexTheInstructionTableAreNotStorable()
    {
        var notStorable = Enumerable.Range(0, HelperCatalog.All.Length).Where(n => !HelperCatalog.Storable(n))
            .Select(n => HelperCatalog.All[n].Method.Name).Order();
        Assert.Equal(["Raise", "Unsupported"], notStorable);
    }

    static ulong NotAnEngineHelper(UserEmu.Engine.Vcpu cpu, ulong a, ulong b, long imm) => a;

    [Fact]
    public void AHelperOutsideTheCatalogHasNoNumber() => Assert.Equal(-1, HelperCatalog.NumberOf(HelperTable.Id(NotAnEngineHelper)));
}
