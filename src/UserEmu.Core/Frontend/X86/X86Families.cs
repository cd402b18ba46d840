namespace UserEmu.Frontend.X86;

/// <summary>The list of instruction families; adding a family file means adding one line here.</summary>
static class X86Families
{
    public static void RegisterAll(X86EmitterTable t)
    {
        InstEmitMove.Install(t);
        InstEmitAlu.Install(t);
        InstEmitFlow.Install(t);
        InstEmitSystem.Install(t);
    }
}
