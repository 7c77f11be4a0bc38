using Iced.Intel;

namespace Memcheck.Engine.Jit;

/// <summary>
/// Machine code for one block (or one stub), encoded instruction by instruction with Iced's encoder into a
/// reused buffer whose byte 0 will live at <see cref="Base"/>, so RIP-relative operands and jumps to fixed
/// addresses (shared stubs) are final as written. Branches to labels are always rel32 and patched when the
/// code is finished: one pass, no relaxation, which keeps translation cheap.
/// </summary>
internal sealed class HostAssembler
{
    private readonly Buffer _buffer = new();
    private readonly Encoder _encoder;
    private int[] _labels = new int[64];
    private int _labelCount;
    private (int At, int Label)[] _fixups = new (int, int)[64];
    private int _fixupCount;
    /// <summary>RIP-relative displacements to labels: where the disp32 is, the label, and where the instruction ends.</summary>
    private readonly List<(int At, int Label, int End)> _ripFixups = [];

    public HostAssembler() => _encoder = Encoder.Create(64, _buffer);

    /// <summary>The address byte 0 of the code will have.</summary>
    public ulong Base { get; private set; }
    public int Length => _buffer.Length;
    public ulong Position => Base + (ulong)_buffer.Length;
    public ReadOnlySpan<byte> Code => _buffer.Bytes.AsSpan(0, _buffer.Length);

    public void Reset(ulong baseAddress)
    {
        Base = baseAddress;
        _buffer.Length = 0;
        _labelCount = 0;
        _fixupCount = 0;
        _ripFixups.Clear();
    }

    public int NewLabel()
    {
        if (_labelCount == _labels.Length) Array.Resize(ref _labels, _labelCount * 2);
        _labels[_labelCount] = -1;
        return _labelCount++;
    }

    public void Bind(int label) => _labels[label] = _buffer.Length;

    public bool IsBound(int label) => _labels[label] >= 0;

    /// <summary>Binds <paramref name="label"/> to the rel32 of the branch just emitted: the field chaining patches.</summary>
    public void BindLastRel32(int label) => _labels[label] = _buffer.Length - 4;

    /// <summary>The offset a bound label marks.</summary>
    public int OffsetOf(int label) => _labels[label] >= 0 ? _labels[label] : throw new InvalidOperationException($"label {label} is not bound");

    public void Emit(in Instruction instruction) => _encoder.Encode(instruction, Position);

    /// <summary>Encodes an instruction whose memory operand is [rip + disp32] and makes it address <paramref name="label"/>.</summary>
    public void EmitRipRelative(in Instruction instruction, int label)
    {
        int start = _buffer.Length;
        // Any reachable target will do for now: the displacement is patched once the label is bound.
        var placeholder = instruction;
        placeholder.MemoryDisplacement64 = Position;
        _encoder.Encode(placeholder, Position);
        var offsets = _encoder.GetConstantOffsets();
        if (!offsets.HasDisplacement || offsets.DisplacementSize != 4) throw new ArgumentException($"{instruction} has no disp32", nameof(instruction));
        _ripFixups.Add((start + offsets.DisplacementOffset, label, _buffer.Length));
    }

    /// <summary>Pads with int3 to a multiple of <paramref name="alignment"/> bytes from the (aligned) base.</summary>
    public void Align(int alignment)
    {
        while (_buffer.Length % alignment != 0) _buffer.WriteByte(0xCC);
    }

    public void Jump(int label) => Rel32To(label, 0xE9);

    public void Call(int label) => Rel32To(label, 0xE8);

    public void Jcc(ConditionCode condition, int label) => Rel32To(label, 0x0F, (byte)(0x80 + ConditionNibble(condition)));

    /// <summary>jmp rel32 to a fixed address (a shared stub in the same code cache).</summary>
    public void Jump(ulong target) => Rel32At(target, 0xE9);

    public void Call(ulong target) => Rel32At(target, 0xE8);

    public void Jcc(ConditionCode condition, ulong target) => Rel32At(target, 0x0F, (byte)(0x80 + ConditionNibble(condition)));

    public void Byte(byte value) => _buffer.WriteByte(value);

    /// <summary>Patches every branch to its label; the code is then ready to copy to <see cref="Base"/>.</summary>
    public void Finish()
    {
        for (int i = 0; i < _fixupCount; i++)
        {
            var (at, label) = _fixups[i];
            int target = OffsetOf(label);
            BitConverter.TryWriteBytes(_buffer.Bytes.AsSpan(at, 4), target - (at + 4));
        }
        _fixupCount = 0;
        foreach (var (at, label, end) in _ripFixups)
            BitConverter.TryWriteBytes(_buffer.Bytes.AsSpan(at, 4), OffsetOf(label) - end);
        _ripFixups.Clear();
    }

    /// <summary>Appends 8 raw bytes (constant pool entries).</summary>
    public void Quad(ulong value)
    {
        for (int i = 0; i < 8; i++) _buffer.WriteByte((byte)(value >> (8 * i)));
    }

    private void Rel32To(int label, params ReadOnlySpan<byte> opcode)
    {
        foreach (byte b in opcode) _buffer.WriteByte(b);
        if (_fixupCount == _fixups.Length) Array.Resize(ref _fixups, _fixupCount * 2);
        _fixups[_fixupCount++] = (_buffer.Length, label);
        _buffer.WriteInt32(0);
    }

    private void Rel32At(ulong target, params ReadOnlySpan<byte> opcode)
    {
        foreach (byte b in opcode) _buffer.WriteByte(b);
        long rel = (long)target - (long)(Position + 4);
        _buffer.WriteInt32(checked((int)rel));
    }

    private static int ConditionNibble(ConditionCode condition) => condition switch
    {
        ConditionCode.o => 0x0,
        ConditionCode.no => 0x1,
        ConditionCode.b => 0x2,
        ConditionCode.ae => 0x3,
        ConditionCode.e => 0x4,
        ConditionCode.ne => 0x5,
        ConditionCode.be => 0x6,
        ConditionCode.a => 0x7,
        ConditionCode.s => 0x8,
        ConditionCode.ns => 0x9,
        ConditionCode.p => 0xA,
        ConditionCode.np => 0xB,
        ConditionCode.l => 0xC,
        ConditionCode.ge => 0xD,
        ConditionCode.le => 0xE,
        ConditionCode.g => 0xF,
        _ => throw new ArgumentOutOfRangeException(nameof(condition)),
    };

    private sealed class Buffer : CodeWriter
    {
        public byte[] Bytes = new byte[4096];
        public int Length;

        public override void WriteByte(byte value)
        {
            if (Length == Bytes.Length) Array.Resize(ref Bytes, Length * 2);
            Bytes[Length++] = value;
        }

        public void WriteInt32(int value)
        {
            if (Length + 4 > Bytes.Length) Array.Resize(ref Bytes, Bytes.Length * 2);
            BitConverter.TryWriteBytes(Bytes.AsSpan(Length, 4), value);
            Length += 4;
        }
    }
}
