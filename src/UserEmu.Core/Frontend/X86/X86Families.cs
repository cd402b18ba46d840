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
        InstEmitShift.Install(t);
        InstEmitMulDiv.Install(t);
        InstEmitBits.Install(t);
        InstEmitAtomic.Install(t);
        InstEmitFlagOps.Install(t);
        InstEmitBmi.Install(t);
        InstEmitMisc.Install(t);
        InstEmitSseMove.Install(t);
        InstEmitSseFloatArith.Install(t);
        InstEmitSseFloatConvert.Install(t);
        InstEmitSseFloatShuffle.Install(t);
        InstEmitSseFloatState.Install(t);
        InstEmitXsave.Install(t);
        InstEmitSseIntArith.Install(t);
        InstEmitSseIntCompare.Install(t);
        InstEmitSseIntShuffle.Install(t);
        InstEmitSseIntInsertExtract.Install(t);
        InstEmitSseString.Install(t);
        InstEmitAesClmul.Install(t);
        InstEmitX87.Install(t);
        // Routes the MMX forms of mnemonics the SSE families registered above, so it stays after them.
        InstEmitMmx.Install(t);
        // Chains movsd/cmpsd to the SSE forms registered above it, so it stays after any SSE family.
        InstEmitString.Install(t);
        // VEX forms run the legacy emitters registered above, so they come last.
        InstEmitAvxMove.Install(t);
        InstEmitAvxPermute.Install(t);
        InstEmitAvxMemory.Install(t);
        InstEmitFma.Install(t);
        InstEmitF16c.Install(t);
        InstEmitVexSse.Install(t);
        // Takes the VEX forms it performs whole from the emitters above.
        InstEmitWholeVector.Install(t);
    }
}
