using UserEmu.Syscalls.Host;
using UserEmu.Syscalls.Paths;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Reading extended attributes (getxattr, listxattr and their l/f forms): ls -l asks for ACLs and SELinux labels.</summary>
/// <remarks>The value buffer is a plain byte buffer; a size of 0 asks for the size only, as the kernel defines.</remarks>
public static unsafe class XattrSyscalls
{
    const int HostGetxattr = 191, HostLgetxattr = 192, HostFgetxattr = 193, HostListxattr = 194, HostLlistxattr = 195,
        HostFlistxattr = 196, XattrNameMax = 256;

    public static long Getxattr(in SyscallContext c) => PathGet(c, HostGetxattr);

    public static long Lgetxattr(in SyscallContext c) => PathGet(c, HostLgetxattr);

    public static long Fgetxattr(in SyscallContext c)
    {
        long n = Name(c, c.A1, out byte* name);
        if (n < 0) return n;
        return Sys.Call(HostFgetxattr, (long)c.A0, (long)name, (long)c.Out(c.A2, c.A3), (long)c.A3);
    }

    public static long Listxattr(in SyscallContext c) => PathList(c, HostListxattr);

    public static long Llistxattr(in SyscallContext c) => PathList(c, HostLlistxattr);

    public static long Flistxattr(in SyscallContext c) => Sys.Call(HostFlistxattr, (long)c.A0, (long)c.Out(c.A1, c.A2), (long)c.A2);

    static long PathGet(in SyscallContext c, int nr)
    {
        int err = c.Kernel.Paths.Resolve(c, c.A0, 0, out byte* path);
        if (err != 0) return err;
        long n = Name(c, c.A1, out byte* name);
        if (n < 0) return n;
        return Sys.Call(nr, (long)path, (long)name, (long)c.Out(c.A2, c.A3), (long)c.A3);
    }

    static long PathList(in SyscallContext c, int nr)
    {
        int err = c.Kernel.Paths.Resolve(c, c.A0, 0, out byte* path);
        if (err != 0) return err;
        return Sys.Call(nr, (long)path, (long)c.Out(c.A1, c.A2), (long)c.A2);
    }

    // Attribute names are at most 255 bytes; a longer one is ERANGE, as the kernel's strncpy_from_user check gives.
    static long Name(in SyscallContext c, ulong addr, out byte* name)
    {
        long len = c.CString(addr, XattrNameMax, out name);
        return len == -Errno.ENAMETOOLONG ? -Errno.ERANGE : len;
    }
}
