namespace Memcheck.Engine.Os;

/// <summary>Linux errno values the engine returns itself (negated, as the kernel returns them).</summary>
internal static class Errno
{
    public const long EPERM = 1, EBADF = 9, ENOMEM = 12, EACCES = 13, EFAULT = 14, EINVAL = 22, ENOSYS = 38;
}
