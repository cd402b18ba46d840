namespace UserEmu.Loader;

/// <summary>qemu's -L rule: a guest path is looked up under the sysroot first, then on the host. A lookup path, not a security boundary.</summary>
public static class SysRoot
{
    /// <summary>The host path for guest path <paramref name="guestPath"/>, or null when it exists in neither place.</summary>
    public static string? Resolve(string sysRoot, string guestPath)
    {
        if (sysRoot != "/" && sysRoot.Length > 0 && guestPath.StartsWith('/'))
        {
            string under = Path.Join(sysRoot, guestPath);
            if (File.Exists(under) || Directory.Exists(under)) return under;
        }
        return File.Exists(guestPath) || Directory.Exists(guestPath) ? guestPath : null;
    }
}
