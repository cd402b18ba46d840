namespace UserEmu.Engine;

/// <summary>The essentials of a siginfo_t for a signal raised inside the emulator.</summary>
/// <remarks>For SI_TIMER, SenderPid and SenderUid hold the timer id and overrun count (the same siginfo slots); Value is the sigval.</remarks>
public readonly record struct GuestSignalInfo(int Signal, int Code, ulong Address = 0, int SenderPid = 0, int SenderUid = 0, ulong Value = 0);

/// <summary>The guest must die from <see cref="Signal"/> (its default action); the emulator then kills itself with it.</summary>
public sealed class GuestTerminatedBySignalException(int signal) : Exception($"terminated by signal {signal}")
{
    public int Signal { get; } = signal;
}
