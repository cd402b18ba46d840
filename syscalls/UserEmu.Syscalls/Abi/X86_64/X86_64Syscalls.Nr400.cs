using UserEmu.Syscalls.Handlers;
using UserEmu.Syscalls.Table;
using static UserEmu.Syscalls.Table.ArgKind;
using static UserEmu.Syscalls.Table.SyscallTable;
using C = UserEmu.Syscalls.Table.TraceClass;
using Ret = UserEmu.Syscalls.Table.ReturnKind;

namespace UserEmu.Syscalls.Abi.X86_64;

public static partial class X86_64Syscalls
{
    // Numbers 337..423 are unassigned on x86-64 (the kernel aligned new syscalls across architectures at 424).
    static void Define400(SyscallTable t)
    {
        t.Add(424, "pidfd_send_signal", C.Desc | C.Signal | C.Process, null, Fd, Signal, SigInfoIn, Hex);
        t.Add(425, "io_uring_setup", C.Desc, null, UInt, Ptr).Returns(Ret.Fd);
        t.Add(426, "io_uring_enter", C.Desc, null, Fd, UInt, UInt, Hex, Ptr, ULong);
        t.Add(427, "io_uring_register", C.Desc, null, Fd, UInt, Ptr, UInt);
        t.Add(428, "open_tree", C.Desc | C.File, null, AtDirFd, Path, Hex).Returns(Ret.Fd);
        t.Add(429, "move_mount", C.Desc | C.File, null, AtDirFd, Path, AtDirFd, Path, Hex);
        t.Add(430, "fsopen", C.Desc, null, StrIn, Hex).Returns(Ret.Fd);
        t.Add(431, "fsconfig", C.Desc, null, Fd, UInt, StrIn, Ptr, Int);
        t.Add(432, "fsmount", C.Desc, null, Fd, Hex, Hex).Returns(Ret.Fd);
        t.Add(433, "fspick", C.Desc | C.File, null, AtDirFd, Path, Hex).Returns(Ret.Fd);
        t.Add(434, "pidfd_open", C.Desc, null, Pid, Hex).Returns(Ret.Fd);
        t.Add(435, "clone3", C.Process, CloneSyscalls.Clone3, Ptr, ULong);
        t.Add(436, "close_range", C.Desc, DescriptorSyscalls.CloseRange, UInt, UInt, Hex);
        t.Add(437, "openat2", C.Desc | C.File, DescriptorSyscalls.Openat2, AtDirFd, Path, Ptr, ULong).Returns(Ret.Fd);
        t.Add(438, "pidfd_getfd", C.Desc, null, Fd, Fd, Hex).Returns(Ret.Fd);
        t.Add(439, "faccessat2", C.Desc | C.File, FsMetadataSyscalls.Faccessat2, AtDirFd, Path, AccessMode, AtFlags);
        t.Add(440, "process_madvise", C.Desc, null, Fd, L(IovecIn, 2), ULong, MadviseAdvice, Hex);
        t.Add(441, "epoll_pwait2", C.Desc, EventSyscalls.EpollPwait2, Fd, R(EpollEventsOut), Int, TimespecIn, SigSetIn, ULong);
        t.Add(442, "mount_setattr", C.Desc | C.File, null, AtDirFd, Path, AtFlags, Ptr, ULong);
        t.Add(443, "quotactl_fd", C.Desc, null, Fd, Hex, Int, Ptr);
        t.Add(444, "landlock_create_ruleset", C.Desc, null, Ptr, ULong, Hex).Returns(Ret.Fd);
        t.Add(445, "landlock_add_rule", C.Desc, null, Fd, Int, Ptr, Hex);
        t.Add(446, "landlock_restrict_self", C.Desc, null, Fd, Hex);
        t.Add(447, "memfd_secret", C.Desc, null, Hex).Returns(Ret.Fd);
        t.Add(448, "process_mrelease", C.Desc, null, Fd, Hex);
        t.Add(449, "futex_waitv", C.None, null, Ptr, UInt, Hex, TimespecIn, ClockId);
        t.Add(450, "set_mempolicy_home_node", C.Memory, null, Ptr, ULong, ULong, Hex);
        t.Add(451, "cachestat", C.Desc, null, Fd, Ptr, Ptr, Hex);
        t.Add(452, "fchmodat2", C.Desc | C.File, FsMetadataSyscalls.Fchmodat2, AtDirFd, Path, Mode, AtFlags);
        t.Add(453, "map_shadow_stack", C.Memory, null, Ptr, ULong, Hex);
        t.Add(454, "futex_wake", C.None, null, Ptr, Hex, Int, Hex);
        t.Add(455, "futex_wait", C.None, null, Ptr, Hex, Hex, Hex, TimespecIn, ClockId);
        t.Add(456, "futex_requeue", C.None, null, Ptr, Hex, Int, Int);
        t.Add(457, "statmount", C.None, null, Ptr, Ptr, ULong, Hex);
        t.Add(458, "listmount", C.None, null, Ptr, Ptr, ULong, Hex);
        t.Add(459, "lsm_get_self_attr", C.None, null, UInt, Ptr, Ptr, Hex);
        t.Add(460, "lsm_set_self_attr", C.None, null, UInt, Ptr, ULong, Hex);
        t.Add(461, "lsm_list_modules", C.None, null, Ptr, Ptr, Hex);
        t.Add(462, "mseal", C.Memory, null, Ptr, ULong, Hex);
        t.Add(463, "setxattrat", C.Desc | C.File, null, AtDirFd, Path, AtFlags, StrIn, Ptr, ULong);
        t.Add(464, "getxattrat", C.Desc | C.File, null, AtDirFd, Path, AtFlags, StrIn, Ptr, ULong);
        t.Add(465, "listxattrat", C.Desc | C.File, null, AtDirFd, Path, AtFlags, R(BufOut), ULong);
        t.Add(466, "removexattrat", C.Desc | C.File, null, AtDirFd, Path, AtFlags, StrIn);
        t.Add(467, "open_tree_attr", C.Desc | C.File, null, AtDirFd, Path, Hex, Ptr, ULong).Returns(Ret.Fd);
        t.Add(468, "file_getattr", C.Desc | C.File, null, AtDirFd, Path, Ptr, ULong, AtFlags);
        t.Add(469, "file_setattr", C.Desc | C.File, null, AtDirFd, Path, Ptr, ULong, AtFlags);
        t.Add(470, "listns", C.None, null, Ptr, Ptr, ULong, Hex);
    }
}
