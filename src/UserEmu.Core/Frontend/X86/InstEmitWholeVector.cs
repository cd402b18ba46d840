using Iced.Intel;
using UserEmu.Cpu.X86;
using static Iced.Intel.Mnemonic;
using W = UserEmu.Cpu.X86.WholeVectorHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>
/// The VEX integer instructions of <see cref="WholeVectorHelpers"/> as one helper call each (native code makes each
/// one host instruction), instead of the lane-by-lane lowering their other forms keep.
/// </summary>
/// <remarks>
/// Measured on glibc's AVX2 string functions (strings workload), where the SWAR lowering of vpcmpeqb, vpminub and
/// vpmovmskb was ~40 integer ops per 64-bit lane and a 32-byte load four loads and four state stores.
/// Installed after the other vector families: forms it does not take (non-VEX, EVEX) go to the emitter they had.
/// </remarks>
static class InstEmitWholeVector
{
    public static void Install(X86EmitterTable t)
    {
        Binary(t, Vpcmpeqb, W.Op.CmpEqB);
        Binary(t, Vpcmpeqw, W.Op.CmpEqW);
        Binary(t, Vpcmpeqd, W.Op.CmpEqD);
        Binary(t, Vpcmpeqq, W.Op.CmpEqQ);
        Binary(t, Vpcmpgtb, W.Op.CmpGtB);
        Binary(t, Vpminub, W.Op.MinUB);
        Binary(t, Vpmaxub, W.Op.MaxUB);
        Binary(t, Vpand, W.Op.And);
        Binary(t, Vpandn, W.Op.AndN);
        Binary(t, Vpor, W.Op.Or);
        Binary(t, Vpxor, W.Op.Xor);
        Binary(t, Vpaddb, W.Op.AddB);
        Binary(t, Vpaddw, W.Op.AddW);
        Binary(t, Vpaddd, W.Op.AddD);
        Binary(t, Vpaddq, W.Op.AddQ);
        Binary(t, Vpsubb, W.Op.SubB);
        Binary(t, Vpsubw, W.Op.SubW);
        Binary(t, Vpsubd, W.Op.SubD);
        Binary(t, Vpsubq, W.Op.SubQ);
        Binary(t, Vpshufb, W.Op.ShufB);
        // The register forms with an immediate (openssl's AVX2 sha256, hashing and checksum loops).
        WithImmediate(t, Vpsrlw, W.Op.SrlW);
        WithImmediate(t, Vpsrld, W.Op.SrlD);
        WithImmediate(t, Vpsrlq, W.Op.SrlQ);
        WithImmediate(t, Vpsllw, W.Op.SllW);
        WithImmediate(t, Vpslld, W.Op.SllD);
        WithImmediate(t, Vpsllq, W.Op.SllQ);
        WithImmediate(t, Vpsraw, W.Op.SraW);
        WithImmediate(t, Vpsrad, W.Op.SraD);
        WithImmediate(t, Vpshufd, W.Op.ShufD);
        // The non-temporal forms too (glibc's AVX2 memset and memcpy on large sizes): the hint changes no result.
        foreach (var m in (Mnemonic[])[Vmovdqa, Vmovaps, Vmovapd, Vmovntdq, Vmovntps, Vmovntpd, Vmovntdqa]) Move(t, m, aligned: true);
        foreach (var m in (Mnemonic[])[Vmovdqu, Vmovups, Vmovupd, Vlddqu]) Move(t, m, aligned: false);
        Take(t, Vpmovmskb, IsVex, e =>
        {
            int src = e.VecReg(1);
            bool ymm = e.Insn.GetOpRegister(1).IsYMM();
            ushort mask = e.HelperImm(W.OnRegisters, W.Pack(W.Op.MoveMaskB, 0, src, 0, ymm, memory: false));
            e.SetReg(e.Insn.Op0Register, mask);
        });
    }

    // `emit` for the forms of `m` that `takes` accepts; the others keep the emitter they had.
    static void Take(X86EmitterTable t, Mnemonic m, Func<X86Emitter, bool> takes, InsnEmitter emit)
    {
        var previous = t[m];
        t[m] = e =>
        {
            if (takes(e)) emit(e);
            else previous!(e);
        };
    }

    static bool IsVex(X86Emitter e) => e.Insn.Code.Encoding() == EncodingKind.VEX;

    static bool IsVecReg(X86Emitter e, int n) => InstEmitVexSse.IsVecReg(e.Insn, n);

    // dst, src1, src2 or memory.
    static void Binary(X86EmitterTable t, Mnemonic m, W.Op op) => Take(t, m,
        e => IsVex(e) && e.Insn.OpCount == 3 && IsVecReg(e, 0) && IsVecReg(e, 1) && (IsVecReg(e, 2) || e.IsMem(2)),
        e =>
        {
            bool ymm = e.Insn.GetOpRegister(0).IsYMM();
            int dst = e.VecReg(0), src1 = e.VecReg(1);
            if (e.IsMem(2)) e.HelperImm(W.WithMemory, W.Pack(op, dst, src1, 0, ymm, memory: true), e.Ea());
            else e.HelperImm(W.OnRegisters, W.Pack(op, dst, src1, e.VecReg(2), ymm, memory: false));
        });

    // dst, src (a register), imm8.
    static void WithImmediate(X86EmitterTable t, Mnemonic m, W.Op op) => Take(t, m,
        e => IsVex(e) && e.Insn.OpCount == 3 && IsVecReg(e, 0) && IsVecReg(e, 1) && e.Insn.GetOpKind(2) == OpKind.Immediate8,
        e => e.HelperImm(W.OnRegisters, W.Pack(op, e.VecReg(0), e.VecReg(1), e.Insn.Immediate8, e.Insn.GetOpRegister(0).IsYMM(), memory: false)));

    static void Move(X86EmitterTable t, Mnemonic m, bool aligned) => Take(t, m,
        e => IsVex(e) && e.Insn.OpCount == 2, e => EmitMove(e, aligned, legacy: false));

    /// <summary>
    /// A full-width load, store or register move; the aligned forms fault (#GP) on a misaligned address. Also the
    /// legacy-SSE 128-bit moves (<see cref="InstEmitSseMove"/>), whose writes keep bits 255:128 of the register.
    /// </summary>
    internal static void EmitMove(X86Emitter e, bool aligned, bool legacy)
    {
        bool ymm = (IsVecReg(e, 0) && e.Insn.GetOpRegister(0).IsYMM()) || (IsVecReg(e, 1) && e.Insn.GetOpRegister(1).IsYMM());
        if (!e.IsMem(0) && !e.IsMem(1))
        {
            e.HelperImm(W.OnRegisters, W.Pack(W.Op.Move, e.VecReg(0), e.VecReg(1), 0, ymm, memory: false, legacy));
            return;
        }
        ushort ea = aligned ? e.AlignedTo(e.Ea(), ymm ? 32 : 16) : e.Ea();
        long packed = e.IsMem(0)
            ? W.Pack(W.Op.Store, 0, e.VecReg(1), 0, ymm, memory: true)
            : W.Pack(W.Op.Load, e.VecReg(0), 0, 0, ymm, memory: true, legacy);
        e.HelperImm(W.WithMemory, packed, ea);
    }
}
