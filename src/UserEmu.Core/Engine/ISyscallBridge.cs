namespace UserEmu.Engine;

/// <summary>Carries out the system call the vCPU just executed (number and arguments in its registers, result written back).</summary>
public interface ISyscallBridge
{
    /// <summary>Runs the call. May throw <see cref="GuestExitException"/> when the guest exits.</summary>
    void Dispatch(Vcpu cpu);
}
