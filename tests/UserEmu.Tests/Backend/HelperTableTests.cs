using UserEmu.Engine;
using UserEmu.IR;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>Helper registration without reflection: one id per method; the effects of helpers outside the catalog (these) come from their attributes.</summary>
public class HelperTableTests
{
    static ulong Plain(Vcpu cpu, ulong a, ulong b, long imm) => a + b + (ulong)imm;

    [VectorStateOnly]
    static ulong VectorOnly(Vcpu cpu, ulong a, ulong b, long imm) => a ^ b;

    [VectorStateAndMemory]
    static ulong VectorAndMemory(Vcpu cpu, ulong a, ulong b, long imm) => a - b;

    [VectorStateAndMxcsr]
    static ulong VectorAndMxcsr(Vcpu cpu, ulong a, ulong b, long imm) => a * b;

    static ulong Pure(ulong a, ulong b, ulong c, long imm) => a * b + c;

    [Fact]
    public void DelegatesOfOneMethodShareAnId()
    {
        // Distinct instances, as two call sites' cached delegates are.
        ushort first = HelperTable.Id(new HelperFn(Plain));
        ushort second = HelperTable.Id(new HelperFn(Plain));
        Assert.Equal(first, second);
        Assert.NotEqual(first, HelperTable.Id(new HelperFn(VectorOnly)));
        Assert.Equal(HelperTable.Id(new PureFn(Pure)), HelperTable.Id(new PureFn(Pure)));
    }

    [Fact]
    public void RegisteredFunctionsRunAndAreNamed()
    {
        ushort id = HelperTable.Id(Plain);
        Assert.Equal(10UL, HelperTable.Function(id)(null!, 3, 4, 3));
        ushort pure = HelperTable.Id(Pure);
        Assert.Equal(14UL, HelperTable.PureFunction(pure)(3, 4, 2, 0));
        Assert.Equal($"{nameof(HelperTableTests)}.{nameof(Plain)}", HelperTable.Name(id));
        Assert.Equal(nameof(Plain), HelperTable.Method(id).Name);
    }

    [Fact]
    public void InstanceMethodsAreRefused()
    {
        var holder = new Holder(1);
        Assert.Throws<ArgumentException>(() => HelperTable.Id(holder.Add));
    }

    sealed class Holder(ulong k)
    {
        public ulong Add(Vcpu cpu, ulong a, ulong b, long imm) => a + k;
    }

    [Fact]
    public void EffectsOfHelpersOutsideTheCatalogAreReadFromTheAttributes()
    {
        ushort plain = HelperTable.Id(Plain), vector = HelperTable.Id(VectorOnly), memory = HelperTable.Id(VectorAndMemory);
        ushort mxcsr = HelperTable.Id(VectorAndMxcsr);
        Assert.False(HelperTable.IsVectorOnly(plain));
        Assert.False(HelperTable.IsVectorAndMemory(plain));
        Assert.True(HelperTable.IsVectorOnly(vector));
        Assert.False(HelperTable.IsVectorAndMemory(vector));
        Assert.True(HelperTable.IsVectorAndMemory(memory));
        Assert.False(HelperTable.IsVectorOnly(memory));
        Assert.True(HelperTable.IsVectorAndMxcsr(mxcsr));
        Assert.False(HelperTable.IsVectorAndMxcsr(memory) || HelperTable.IsVectorAndMxcsr(plain) || HelperTable.IsVectorOnly(mxcsr));
    }
}
