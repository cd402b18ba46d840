using UserEmu.Host;

namespace UserEmu.Memory;

/// <summary>Pages holding translated code: marked in the page table, and write-protected on the host while the guest may write them.</summary>
/// <remarks>
/// A write to such a page must drop the translations made from it (self-modifying code). The interpreter, the IL
/// regions and the emulator's own writes test <see cref="PageFlags.HasCode"/> in the page table. Native code does not:
/// while <see cref="ProtectsCodePages"/>, a guest-writable page that holds code is read-only on the host (QEMU's way),
/// so a native store to it faults into its access's out-of-line stub, whose managed write finds the flag, drops the
/// code and makes the page writable again. Testing the flag cost ~15% of native code's samples in python3 json_sha
/// (a load of the page table and a branch at every store that no group check covered).
/// <para>Only while the process has one guest thread: a managed write checks the flag and then stores, and a page
/// write-protected in between by another thread's translation would fault in managed code, which is fatal. The
/// process stops protecting (and drops its native code, compiled without the test) before its second thread starts
/// (<see cref="StopProtectingCodePages"/>); pages protected until then stay so until written, which is safe.</para>
/// </remarks>
public sealed unsafe partial class GuestAddressSpace
{
    volatile bool _protectsCode = true;
    volatile bool _protectionFailed;

    /// <summary>Whether native code may leave out the code-page test of its stores (see the remarks).</summary>
    public bool ProtectsCodePages => _protectsCode;

    /// <summary>Stops write-protecting newly marked code pages (a second thread is about to share the space).</summary>
    public void StopProtectingCodePages() => _protectsCode = false;

    /// <summary>
    /// True once, after a page could not be write-protected (the host's mapping count limit): protection has stopped
    /// and native code compiled without the code-page test must be dropped before guest code runs again.
    /// </summary>
    public bool TakeProtectionFailure()
    {
        if (!_protectionFailed) return false;
        _protectionFailed = false;
        return true;
    }

    /// <summary>Marks a page as holding translated code, so guest writes to it reach <see cref="CodePageWritten"/>.</summary>
    public void MarkCodePage(ulong addr)
    {
        ulong p = addr >> PageShift;
        if (p >= PageCount) return;
        var f = (PageFlags)Pages[p];
        if ((f & PageFlags.HasCode) != 0) return;
        Pages[p] = (byte)(f | PageFlags.HasCode);
        if ((f & PageFlags.Write) == 0 || !_protectsCode) return;
        if (LibC.mprotect((nint)(HostBase + (p << PageShift)), (nuint)PageSize, LibC.PROT_READ) == 0) return;
        _protectsCode = false;
        _protectionFailed = true;
    }

    void InvalidateCodePage(ulong pageAddr, bool codeReadable)
    {
        ulong p = pageAddr >> PageShift;
        var f = (PageFlags)Pages[p];
        Pages[p] = (byte)(f & ~PageFlags.HasCode);
        // Writable on the host again where the guest may write (it may have been made read-only for the code).
        if ((f & (PageFlags.HasCode | PageFlags.Write)) == (PageFlags.HasCode | PageFlags.Write))
            LibC.mprotect((nint)(HostBase + pageAddr), (nuint)PageSize, LibC.PROT_READ | LibC.PROT_WRITE);
        CodePageWritten?.Invoke(pageAddr, codeReadable);
    }

    /// <summary>Whether any page of [addr, addr + len) holds translated code.</summary>
    bool AnyCodePage(ulong addr, ulong len)
    {
        for (ulong p = addr >> PageShift, e = (addr + len + PageMask) >> PageShift; p < e && p < PageCount; p++)
            if ((Pages[p] & (byte)PageFlags.HasCode) != 0) return true;
        return false;
    }
}
