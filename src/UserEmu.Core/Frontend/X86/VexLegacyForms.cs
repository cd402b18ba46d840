using Iced.Intel;

namespace UserEmu.Frontend.X86;

/// <summary>
/// Which VEX encodings are the legacy SSE instruction with VEX operand rules (non-destructive source, no alignment,
/// upper bits zeroed, 256-bit lane-wise forms), found by name in Iced's <see cref="Code"/> list: VEX_Vaddps_ymm_ymm_ymmm256
/// is Addps_xmm_xmmm128 with a first source added and applied to each 128-bit lane.
/// </summary>
static class VexLegacyForms
{
    /// <summary>One VEX encoding's legacy counterpart: <paramref name="Nds"/> when VEX adds a first source (vvvv), <paramref name="Ymm"/> for 256-bit forms.</summary>
    public readonly record struct Form(Code Legacy, bool Nds, bool Ymm);


    // Sets as patterns rather than HashSets: HashSet over an enum has no ReadyToRun code (JIT-compiled at start-up).

    /// <summary>256-bit forms whose result is not two independent 128-bit lanes (or that write no vector register): they have their own emitters.</summary>
    static bool NotLanewise(Mnemonic m) =>
        m is Mnemonic.Vptest or Mnemonic.Vpmovmskb or Mnemonic.Vmovmskps or Mnemonic.Vmovmskpd or Mnemonic.Vmovddup;

    /// <summary>Shifts whose 256-bit form takes one 128-bit count for both lanes.</summary>
    static bool ShiftByXmm(Mnemonic m) =>
        m is Mnemonic.Vpsllw or Mnemonic.Vpslld or Mnemonic.Vpsllq or Mnemonic.Vpsrlw or Mnemonic.Vpsrld or Mnemonic.Vpsrlq or Mnemonic.Vpsraw or Mnemonic.Vpsrad;

    static bool Allowed(CpuidFeature f) => f is CpuidFeature.AVX or CpuidFeature.AVX2 or CpuidFeature.AES or CpuidFeature.PCLMULQDQ;

    // Computed per code on first use (the whole table took ~30 ms of start-up for the few dozen VEX codes a program
    // uses): 0 = not yet, 1 = no legacy form, 2 = s_forms holds it. Racing translators compute the same value; the
    // form is written before its state and read after it.
    static readonly Form[] s_forms = new Form[IcedCodeNames.Names.Length];
    static readonly byte[] s_state = new byte[IcedCodeNames.Names.Length];
    static readonly Code[] s_legacy128 = new Code[IcedCodeNames.MnemonicCount];

    public static bool TryGet(Code code, out Form form)
    {
        int i = (int)code;
        byte state = Volatile.Read(ref s_state[i]);
        if (state == 0)
        {
            state = Compute(code, out var computed) ? (byte)2 : (byte)1;
            s_forms[i] = computed;
            Volatile.Write(ref s_state[i], state);
        }
        form = s_forms[i];
        return state == 2;
    }

    /// <summary>The legacy code behind <paramref name="m"/>'s VEX.128 form whose destination is an XMM register.</summary>
    public static Code Legacy128(Mnemonic m)
    {
        ref var cached = ref s_legacy128[(int)m];
        if (cached != Code.INVALID) return cached;
        foreach (var code in IcedCodeNames.All)
            if (code.Mnemonic() == m && TryGet(code, out var f) && !f.Ymm && IcedCodeNames.Names[(int)code].Split('_')[2] == "xmm")
                return cached = f.Legacy;
        throw new InvalidOperationException($"no VEX.128 legacy form of {m}");
    }

    static bool Compute(Code code, out Form form)
    {
        form = default;
        string name = IcedCodeNames.Names[(int)code];
        if (!name.StartsWith("VEX_V", StringComparison.Ordinal)) return false;
        foreach (var feature in code.CpuidFeatures())
            if (!Allowed(feature)) return false;
        var parts = name[5..].Split('_').ToList();
        if (parts[^1] == "0") parts.RemoveAt(parts.Count - 1); // Iced's suffix for an alternative encoding
        string mnemonic = char.ToUpperInvariant(parts[0][0]) + parts[0][1..];
        var ops = parts.Skip(1).ToArray();
        bool ymm = ops.Any(o => o.StartsWith("ymm", StringComparison.Ordinal));
        if (ymm && !YmmLanewise(code.Mnemonic(), ops)) return false;
        // Sources staged in a scratch register must have a register-or-memory legacy form.
        if (ops.Skip(1).Any(o => o is "m128" or "m256")) return false;
        var legacyOps = ops.Select(o => o switch { "ymm" => "xmm", "ymmm256" => "xmmm128", _ => o }).ToArray();
        if (legacyOps.Length >= 2 && legacyOps[0] == "xmm" && legacyOps[1] == "xmm"
            && TryLegacy(mnemonic, legacyOps.Where((_, i) => i != 1), out var nds, legacyOps.Length - 1))
            form = new Form(nds, true, ymm);
        else if (TryLegacy(mnemonic, legacyOps, out var same, legacyOps.Length))
            form = new Form(same, false, ymm);
        else
            return false;
        return true;
    }

    /// <summary>A 256-bit form is lowered per lane when its destination and sources are all YMM (or one XMM shift count).</summary>
    static bool YmmLanewise(Mnemonic m, string[] ops)
    {
        if (NotLanewise(m) || ops[0] != "ymm") return false;
        for (int i = 1; i < ops.Length; i++)
        {
            string o = ops[i];
            if (o is "ymm" or "ymmm256" or "imm8") continue;
            if (o == "xmmm128" && i == ops.Length - 1 && ShiftByXmm(m)) continue;
            return false;
        }
        return true;
    }

    /// <summary>The legacy (unprefixed) code named <paramref name="mnemonic"/>_ops with <paramref name="opCount"/> operands.</summary>
    static bool TryLegacy(string mnemonic, IEnumerable<string> ops, out Code code, int opCount)
    {
        // A name built from a mnemonic never matches a prefixed encoding's (EVEX_, XOP_, ...).
        string name = mnemonic + "_" + string.Join("_", ops);
        if (!IcedCodeNames.TryParse(name, out code)) return false;
        var insn = default(Instruction);
        insn.Code = code;
        return insn.OpCount == opCount;
    }
}
