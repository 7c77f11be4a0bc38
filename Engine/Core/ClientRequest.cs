namespace Memcheck.Engine.Core;

/// <summary>
/// One Valgrind client request (valgrind.h): the magic sequence hands over a block of six words at RAX, the request
/// code and five arguments, and takes the answer in RDX, which holds the caller's default until then.
/// </summary>
public readonly record struct ClientRequest(ulong Code, ulong A1, ulong A2, ulong A3, ulong A4, ulong A5)
{
    // The core's request codes (valgrind.h, Vg_ClientRequest).
    public const ulong RunningOnValgrind = 0x1001, DiscardTranslations = 0x1002;
    public const ulong ClientCall0 = 0x1101, ClientCall3 = 0x1104;
    public const ulong CountErrors = 0x1201;
    public const ulong MalloclikeBlock = 0x1301, FreelikeBlock = 0x1302, ResizeinplaceBlock = 0x130b;
    public const ulong CreateMempool = 0x1303, DestroyMempool = 0x1304, MempoolAlloc = 0x1305, MempoolFree = 0x1306,
        MempoolTrim = 0x1307, MoveMempool = 0x1308, MempoolChange = 0x1309, MempoolExists = 0x130a;
    public const ulong Printf = 0x1401, PrintfBacktrace = 0x1402, PrintfValistByRef = 0x1403, PrintfBacktraceValistByRef = 0x1404;
    public const ulong StackRegister = 0x1501, StackDeregister = 0x1502, StackChange = 0x1503;
    public const ulong MapIpToSrcloc = 0x1701;
    public const ulong ChangeErrDisablement = 0x1801;

    /// <summary>The first code of a tool's own requests, VG_USERREQ_TOOL_BASE(a, b).</summary>
    public static ulong ToolBase(char a, char b) => (ulong)((a & 0xff) << 24 | (b & 0xff) << 16);
}
