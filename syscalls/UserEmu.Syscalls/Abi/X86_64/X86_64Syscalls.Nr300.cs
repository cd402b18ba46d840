using UserEmu.Syscalls.Handlers;
using UserEmu.Syscalls.Table;
using static UserEmu.Syscalls.Table.ArgKind;
using static UserEmu.Syscalls.Table.SyscallTable;
using C = UserEmu.Syscalls.Table.TraceClass;
using Ret = UserEmu.Syscalls.Table.ReturnKind;

namespace UserEmu.Syscalls.Abi.X86_64;

public static partial class X86_64Syscalls
{
    static void Define300(SyscallTable t)
    {
        t.Add(300, "fanotify_init", C.Desc, null, Hex, OpenFlags).Returns(Ret.Fd);
        t.Add(301, "fanotify_mark", C.Desc | C.File, null, Fd, Hex, Hex, AtDirFd, Path);
        t.Add(302, "prlimit64", C.None, SystemInfoSyscalls.Prlimit64, Pid, RlimitResource, RlimitIn, RlimitOut);
        t.Add(303, "name_to_handle_at", C.Desc | C.File, null, AtDirFd, Path, Ptr, Ptr, AtFlags);
        t.Add(304, "open_by_handle_at", C.Desc, null, Fd, Ptr, OpenFlags).Returns(Ret.Fd);
        t.Add(305, "clock_adjtime", C.Clock, TimeSyscalls.ClockAdjtime, ClockId, Ptr);
        t.Add(306, "syncfs", C.Desc, FileDataSyscalls.Syncfs, Fd);
        t.Add(307, "sendmmsg", C.Network | C.Desc, SocketMessageSyscalls.Sendmmsg, Fd, Ptr, UInt, MsgFlags);
        t.Add(308, "setns", C.Desc, null, Fd, CloneFlags);
        t.Add(309, "getcpu", C.None, SystemInfoSyscalls.Getcpu, Ptr, Ptr, Ptr);
        t.Add(310, "process_vm_readv", C.None, null, Pid, Ptr, ULong, Ptr, ULong, Hex);
        t.Add(311, "process_vm_writev", C.None, null, Pid, Ptr, ULong, Ptr, ULong, Hex);
        t.Add(312, "kcmp", C.None, null, Pid, Pid, Int, ULong, ULong);
        t.Add(313, "finit_module", C.Desc, null, Fd, StrIn, Hex);
        t.Add(314, "sched_setattr", C.None, null, Pid, Ptr, Hex);
        t.Add(315, "sched_getattr", C.None, null, Pid, Ptr, UInt, Hex);
        t.Add(316, "renameat2", C.Desc | C.File, DirectorySyscalls.Renameat2, AtDirFd, Path, AtDirFd, Path, RenameFlags);
        t.Add(317, "seccomp", C.None, null, UInt, Hex, Ptr);
        t.Add(318, "getrandom", C.None, RandomSyscalls.Getrandom, R(BufOut), ULong, GetrandomFlags);
        t.Add(319, "memfd_create", C.Desc, DescriptorSyscalls.MemfdCreate, StrIn, Hex).Returns(Ret.Fd);
        t.Add(320, "kexec_file_load", C.Desc, null, Fd, Fd, ULong, StrIn, Hex);
        t.Add(321, "bpf", C.Desc, null, Int, Ptr, UInt);
        t.Add(322, "execveat", C.Desc | C.File | C.Process, ExecSyscalls.Execveat, AtDirFd, Path, StrArray, StrArray, AtFlags);
        t.Add(323, "userfaultfd", C.Desc, null, Hex).Returns(Ret.Fd);
        t.Add(324, "membarrier", C.None, null, Int, Hex, Int);
        t.Add(325, "mlock2", C.Memory, MemorySyscalls.Mlock2, Ptr, ULong, Hex);
        t.Add(326, "copy_file_range", C.Desc, FileDataSyscalls.CopyFileRange, Fd, Ptr, Fd, Ptr, ULong, Hex);
        t.Add(327, "preadv2", C.Desc, ReadWriteSyscalls.Preadv2, Fd, L(IovecOut, 2), Int, Long, Long, Hex);
        t.Add(328, "pwritev2", C.Desc, ReadWriteSyscalls.Pwritev2, Fd, L(IovecIn, 2), Int, Long, Long, Hex);
        t.Add(329, "pkey_mprotect", C.Memory, null, Ptr, ULong, MmapProt, Int);
        t.Add(330, "pkey_alloc", C.None, null, Hex, Hex);
        t.Add(331, "pkey_free", C.None, null, Int);
        t.Add(332, "statx", C.Desc | C.File | C.Fstat | C.StatLike, FsMetadataSyscalls.Statx, AtDirFd, Path, AtFlags, StatxMask, StatxOut);
        t.Add(333, "io_pgetevents", C.None, null, Hex, Long, Long, Ptr, TimespecIn, Ptr);
        t.Add(334, "rseq", C.None, ProcessSyscalls.Rseq, Ptr, Hex, Hex, Hex);
        t.Add(335, "uretprobe", C.None, null);
        t.Add(336, "uprobe", C.None, null);
    }
}
