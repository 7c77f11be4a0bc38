using Iced.Intel;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu;

/// <summary>
/// Translates guest x86-64 code into IR superblocks: decodes with Iced, one IMark per
/// instruction, follows a few unconditional direct jumps, and ends at the first control
/// transfer that needs the dispatcher. Bad guest code never throws: it ends the block with
/// NoDecode (SIGILL) or SigSegv (unreadable code) at the offending instruction.
/// </summary>
public sealed class Lifter
{
    public const int MaxInstructions = 60;
    public const int MaxFollowedJumps = 3;
    private const int MaxInstructionLength = 15;

    /// <summary>The client-request preamble (rol rdi,3; rol rdi,13; rol rdi,61; rol rdi,51) then xchg rbx,rbx.</summary>
    private static readonly byte[] ClientRequestSequence =
    [
        0x48, 0xC1, 0xC7, 0x03, 0x48, 0xC1, 0xC7, 0x0D, 0x48, 0xC1, 0xC7, 0x3D, 0x48, 0xC1, 0xC7, 0x33,
        0x48, 0x87, 0xDB,
    ];

    private static readonly LifterTable Table = LifterTable.Build();

    private readonly ICodeSource _code;
    private readonly byte[] _bytes = new byte[ClientRequestSequence.Length];
    private readonly BufferCodeReader _reader = new();
    private readonly Decoder _decoder;

    public Lifter(ICodeSource code)
    {
        _code = code;
        _decoder = Decoder.Create(64, _reader);
    }

    public Superblock Lift(ulong guestAddress) => Lift(guestAddress, MaxInstructions);

    private Superblock Lift(ulong start, int limit)
    {
        var sb = new Superblock(start);
        var ctx = new LiftContext(sb);
        ulong pc = start, extentStart = start;
        int followed = 0;
        for (int n = 0; ; n++)
        {
            if (n == limit) return Finish(sb, pc, JumpKind.Boring, extentStart);

            int readable = _code.Read(pc, _bytes);
            if (readable == 0) return Finish(sb, pc, JumpKind.SigSegv, extentStart);

            if (readable == _bytes.Length && _bytes.AsSpan().SequenceEqual(ClientRequestSequence))
            {
                sb.IMark(pc, ClientRequestSequence.Length);
                pc += (ulong)ClientRequestSequence.Length;
                return Finish(sb, pc, JumpKind.ClientRequest, extentStart);
            }

            // Decode with the unreadable tail zeroed: an instruction needing those bytes straddles into unreadable memory.
            _bytes.AsSpan(readable).Clear();
            _reader.Reset(_bytes, MaxInstructionLength);
            _decoder.IP = pc;
            _decoder.Decode(out var insn);
            if (insn.IsInvalid) return Finish(sb, pc, JumpKind.NoDecode, extentStart);
            if (insn.Length > readable) return Finish(sb, pc, JumpKind.SigSegv, extentStart);

            var lift = Table.Find(insn.Mnemonic);
            if (lift is null) return Finish(sb, pc, JumpKind.NoDecode, extentStart);

            sb.IMark(pc, insn.Length);
            ctx.Begin(insn);
            if (!lift(ctx))
            {
                // The form is not supported after all: lift the instructions before it again
                // (deterministic), so no partial statements of this one remain.
                var before = Lift(start, n);
                before.NextKind = JumpKind.NoDecode;
                return before;
            }

            if (!ctx.Ended)
            {
                pc = insn.NextIP;
                continue;
            }
            if (IsFollowable(insn, sb) && followed < MaxFollowedJumps && n + 1 < limit)
            {
                followed++;
                ctx.Ended = false;
                sb.Extents.Add((extentStart, (int)(insn.NextIP - extentStart)));
                pc = extentStart = insn.NearBranchTarget;
                continue;
            }
            sb.Extents.Add((extentStart, (int)(insn.NextIP - extentStart)));
            return sb;
        }
    }

    private static bool IsFollowable(in Instruction insn, Superblock sb) =>
        insn.Mnemonic == Mnemonic.Jmp && insn.Op0Kind == OpKind.NearBranch64 && sb.NextKind == JumpKind.Boring;

    private static Superblock Finish(Superblock sb, ulong next, JumpKind kind, ulong extentStart)
    {
        sb.Next = IrValue.U64(next);
        sb.NextKind = kind;
        if (next > extentStart) sb.Extents.Add((extentStart, (int)(next - extentStart)));
        return sb;
    }

    /// <summary>Feeds Iced the bytes of one instruction.</summary>
    private sealed class BufferCodeReader : CodeReader
    {
        private byte[] _buffer = [];
        private int _position, _length;

        public void Reset(byte[] buffer, int length)
        {
            _buffer = buffer;
            _length = length;
            _position = 0;
        }

        public override int ReadByte() => _position < _length ? _buffer[_position++] : -1;
    }
}
