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


    /// <summary>256-bit forms whose result is not two independent 128-bit lanes (or that write no vector register): they have their own emitters.</summary>
    static readonly HashSet<Mnemonic> NotLanewise =
    [
        Mnemonic.Vptest, Mnemonic.Vpmovmskb, Mnemonic.Vmovmskps, Mnemonic.Vmovmskpd, Mnemonic.Vmovddup,
    ];

    /// <summary>Shifts whose 256-bit form takes one 128-bit count for both lanes.</summary>
    static readonly HashSet<Mnemonic> ShiftByXmm =
    [
        Mnemonic.Vpsllw, Mnemonic.Vpslld, Mnemonic.Vpsllq, Mnemonic.Vpsrlw, Mnemonic.Vpsrld, Mnemonic.Vpsrlq, Mnemonic.Vpsraw, Mnemonic.Vpsrad,
    ];

    static readonly HashSet<CpuidFeature> Allowed = [CpuidFeature.AVX, CpuidFeature.AVX2, CpuidFeature.AES, CpuidFeature.PCLMULQDQ];

    // After the sets above: static fields initialise in order, and Build reads them.
    static readonly Dictionary<Code, Form> Forms = Build();

    public static bool TryGet(Code code, out Form form) => Forms.TryGetValue(code, out form);

    /// <summary>The legacy code behind <paramref name="m"/>'s VEX.128 form whose destination is an XMM register.</summary>
    public static Code Legacy128(Mnemonic m) =>
        Forms.First(f => !f.Value.Ymm && f.Key.Mnemonic() == m && f.Key.ToString().Split('_')[2] == "xmm").Value.Legacy;

    static Dictionary<Code, Form> Build()
    {
        var forms = new Dictionary<Code, Form>();
        // Legacy codes by name, looked up once each (Enum.TryParse would scan every name per lookup: slow at startup).
        var legacy = new Dictionary<string, Code>(StringComparer.Ordinal);
        var vex = new List<(Code Code, string Name)>();
        foreach (var code in IcedCodeNames.All)
        {
            string name = IcedCodeNames.Names[(int)code];
            if (name.StartsWith("VEX_V", StringComparison.Ordinal)) vex.Add((code, name));
            // Encodings other than legacy and VEX carry a prefix in the name (EVEX_, XOP_, D3NOW_, MVEX_).
            else if (!name.Contains('_') || !name[..name.IndexOf('_')].All(char.IsUpper)) legacy[name] = code;
        }
        foreach (var (code, name) in vex)
        {
            if (!code.CpuidFeatures().All(Allowed.Contains)) continue;
            var parts = name[5..].Split('_').ToList();
            if (parts[^1] == "0") parts.RemoveAt(parts.Count - 1); // Iced's suffix for an alternative encoding
            string mnemonic = char.ToUpperInvariant(parts[0][0]) + parts[0][1..];
            var ops = parts.Skip(1).ToArray();
            bool ymm = ops.Any(o => o.StartsWith("ymm", StringComparison.Ordinal));
            if (ymm && !YmmLanewise(code.Mnemonic(), ops)) continue;
            // Sources staged in a scratch register must have a register-or-memory legacy form.
            if (ops.Skip(1).Any(o => o is "m128" or "m256")) continue;
            var legacyOps = ops.Select(o => o switch { "ymm" => "xmm", "ymmm256" => "xmmm128", _ => o }).ToArray();
            if (legacyOps.Length >= 2 && legacyOps[0] == "xmm" && legacyOps[1] == "xmm"
                && TryLegacy(legacy, mnemonic, legacyOps.Where((_, i) => i != 1), out var nds, legacyOps.Length - 1))
                forms[code] = new Form(nds, true, ymm);
            else if (TryLegacy(legacy, mnemonic, legacyOps, out var same, legacyOps.Length))
                forms[code] = new Form(same, false, ymm);
        }
        return forms;
    }

    /// <summary>A 256-bit form is lowered per lane when its destination and sources are all YMM (or one XMM shift count).</summary>
    static bool YmmLanewise(Mnemonic m, string[] ops)
    {
        if (NotLanewise.Contains(m) || ops[0] != "ymm") return false;
        for (int i = 1; i < ops.Length; i++)
        {
            string o = ops[i];
            if (o is "ymm" or "ymmm256" or "imm8") continue;
            if (o == "xmmm128" && i == ops.Length - 1 && ShiftByXmm.Contains(m)) continue;
            return false;
        }
        return true;
    }

    static bool TryLegacy(Dictionary<string, Code> legacy, string mnemonic, IEnumerable<string> ops, out Code code, int opCount)
    {
        string name = mnemonic + "_" + string.Join("_", ops);
        if (!legacy.TryGetValue(name, out code)) return false;
        var insn = default(Instruction);
        insn.Code = code;
        return insn.OpCount == opCount;
    }
}
