namespace Memcheck.Engine.Os;

/// <summary>Linux errno values the engine returns itself (negated, as the kernel returns them).</summary>
public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, EINTR = 4, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14;
    public const int EEXIST = 17, ENODEV = 19, EINVAL = 22, EMFILE = 24, EPIPE = 32, ENOSYS = 38, EOVERFLOW = 75;
}
