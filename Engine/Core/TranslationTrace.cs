using System.Text;
using Iced.Intel;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>
/// Valgrind's --trace-flags debugging output: the IR of each translated superblock at the stages the
/// flags select, and the host code it became, for superblocks numbered from --trace-notbelow on.
/// Flag bits (written as eight 0/1 digits, leftmost first): 10000000 the lifted IR, 00100000 after
/// instrumentation, 00010000 after optimisation, 00000001 the final host assembly.
/// </summary>
internal sealed class TranslationTrace(TextWriter writer, int flags, long notBelow)
{
    public const int Lifted = 0x80, Instrumented = 0x20, Optimised = 0x10, Assembly = 0x01;

    private long _number = -1;

    /// <summary>Starts the next superblock; false when nothing of it is to be shown.</summary>
    public bool Begin(ulong guestAddress)
    {
        _number++;
        if (_number < notBelow) return false;
        writer.Write($"==== SB {_number} [0x{guestAddress:x}] ====\n");
        return true;
    }

    public void Stage(int flag, string title, Superblock sb)
    {
        if ((flags & flag) != 0 && _number >= notBelow)
            writer.Write($"------ {title} ------\n{IrPrinter.Format(sb)}\n");
    }

    public unsafe void HostCode(nint address, int size)
    {
        if ((flags & Assembly) == 0 || _number < notBelow) return;
        var bytes = new ReadOnlySpan<byte>((void*)address, size).ToArray();
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(bytes), (ulong)address);
        var formatter = new NasmFormatter();
        var output = new StringOutput();
        var text = new StringBuilder($"------ host code, {size} bytes ------\n");
        while (decoder.IP < (ulong)address + (ulong)size)
        {
            decoder.Decode(out var insn);
            formatter.Format(insn, output);
            text.Append($"  {insn.IP:x}  {output.ToStringAndReset()}\n");
        }
        writer.Write(text.ToString());
        writer.Flush();
    }
}
