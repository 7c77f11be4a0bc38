using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using static Memcheck.Engine.Cpu.X86Flags;

namespace Memcheck.Engine.Tests.Cpu;

/// <summary>
/// Native vs lifted for instructions that need chosen operands: stack and string pointers,
/// non-faulting divisions, branches and loops, memory bit strings, compare-exchange successes.
/// </summary>
public class ControlAndMemoryDifferentialTests
{
    private const int Seeds = 60;
    private DifferentialHarness _harness = null!;

    [OneTimeSetUp] public void Open() => _harness = new DifferentialHarness();
    [OneTimeTearDown] public void Close() => _harness.Dispose();

    private void Check(Action<Assembler> emit, ulong undefined = 0, Action<ulong[], Random>? setup = null, bool randomDirection = false)
    {
        var failures = new List<string>();
        for (int seed = 0; seed < Seeds && failures.Count < 3; seed++)
            if (_harness.Compare(emit, seed, undefined, setup, randomDirection) is { } f) failures.Add(f);
        Assert.That(failures.Count, Is.Zero, string.Join("\n", failures));
    }

    private ulong InData(Random rng, int spread = 0x400) => _harness.Sandbox.DataMiddle + (ulong)rng.Next(-spread, spread);

    // ---------------- string instructions ----------------

    private static readonly string[] StringNames =
    [
        "movsb", "movsw", "movsd", "movsq", "stosb", "stosw", "stosd", "stosq", "lodsb", "lodsw", "lodsd", "lodsq",
        "cmpsb", "cmpsw", "cmpsd", "cmpsq", "scasb", "scasw", "scasd", "scasq",
    ];

    private static IEnumerable<TestCaseData> StringForms() =>
        from name in StringNames
        from rep in new[] { RepPrefixKind.None, RepPrefixKind.Repe, RepPrefixKind.Repne }
        where rep != RepPrefixKind.Repne || name.StartsWith("cmps") || name.StartsWith("scas")
        select new TestCaseData(name, rep).SetName($"String {rep} {name} matches native");

    [TestCaseSource(nameof(StringForms))]
    public void String_instruction_matches_native(string name, RepPrefixKind rep)
    {
        var insn = StringInstruction(name, rep);
        Check(a => a.AddInstruction(insn), setup: (r, rng) =>
        {
            r[6] = InData(rng);
            r[7] = InData(rng);
            r[1] = (ulong)rng.Next(0, 20);
            // Equal runs make repe/repne stop at different places.
            if (rng.Next(2) == 0) _harness.Sandbox.Memory(NativeSandbox.DataOffset, 0x2000).Fill((byte)r[0]);
        }, randomDirection: true);
    }

    private static Instruction StringInstruction(string name, RepPrefixKind rep) => name switch
    {
        "movsb" => Instruction.CreateMovsb(64, repPrefix: rep), "movsw" => Instruction.CreateMovsw(64, repPrefix: rep),
        "movsd" => Instruction.CreateMovsd(64, repPrefix: rep), "movsq" => Instruction.CreateMovsq(64, repPrefix: rep),
        "stosb" => Instruction.CreateStosb(64, rep), "stosw" => Instruction.CreateStosw(64, rep),
        "stosd" => Instruction.CreateStosd(64, rep), "stosq" => Instruction.CreateStosq(64, rep),
        "lodsb" => Instruction.CreateLodsb(64, repPrefix: rep), "lodsw" => Instruction.CreateLodsw(64, repPrefix: rep),
        "lodsd" => Instruction.CreateLodsd(64, repPrefix: rep), "lodsq" => Instruction.CreateLodsq(64, repPrefix: rep),
        "cmpsb" => Instruction.CreateCmpsb(64, repPrefix: rep), "cmpsw" => Instruction.CreateCmpsw(64, repPrefix: rep),
        "cmpsd" => Instruction.CreateCmpsd(64, repPrefix: rep), "cmpsq" => Instruction.CreateCmpsq(64, repPrefix: rep),
        "scasb" => Instruction.CreateScasb(64, rep), "scasw" => Instruction.CreateScasw(64, rep),
        "scasd" => Instruction.CreateScasd(64, rep), _ => Instruction.CreateScasq(64, rep),
    };

    // ---------------- division ----------------

    [TestCase(8)]
    [TestCase(16)]
    [TestCase(32)]
    [TestCase(64)]
    public void Div_and_idiv_match_native(int bits)
    {
        foreach (bool signed in new[] { false, true })
        foreach (bool memory in new[] { false, true })
        {
            Check(a =>
            {
                var code = (bits, signed, memory) switch
                {
                    (8, false, _) => Code.Div_rm8, (16, false, _) => Code.Div_rm16, (32, false, _) => Code.Div_rm32, (64, false, _) => Code.Div_rm64,
                    (8, true, _) => Code.Idiv_rm8, (16, true, _) => Code.Idiv_rm16, (32, true, _) => Code.Idiv_rm32, _ => Code.Idiv_rm64,
                };
                var divisor = bits switch { 8 => Register.CL, 16 => Register.CX, 32 => Register.ECX, _ => Register.RCX };
                a.AddInstruction(memory ? Instruction.Create(code, new MemoryOperand(Register.RBX, 0x10)) : Instruction.Create(code, divisor));
            }, Oszapc, setup: (r, rng) =>
            {
                ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
                ulong d = DifferentialHarness.Value(rng) & mask;
                if (d == 0) d = 7;
                if (signed && (d == mask)) d = 3; // -1 can overflow on the most negative dividend
                r[1] = d;
                _harness.Sandbox.Memory(NativeSandbox.DataMiddleOffset + 0x10, 8).Clear();
                BitConverter.TryWriteBytes(_harness.Sandbox.Memory(NativeSandbox.DataMiddleOffset + 0x10, 8), d);
                // A high half that keeps the quotient in range: zero (unsigned) or the low half's sign (signed).
                ulong low = r[0] & mask;
                bool negative = (low >> (bits - 1) & 1) != 0;
                ulong high = signed && negative ? mask : 0;
                if (bits == 8) r[0] = (r[0] & ~0xFFFFUL) | (high << 8 & 0xFF00) | low;
                else r[2] = (r[2] & ~mask) | high;
            });
        }
    }

    // ---------------- stack and control flow ----------------

    [Test]
    public void Call_ret_push_pop_leave_enter_match_native() => Check(a =>
    {
        var func = a.CreateLabel(); var after = a.CreateLabel();
        a.push(rbp);
        a.mov(rbp, rsp);
        a.push(rax);
        a.push(__qword_ptr[rbx + 8]);
        a.push(0x12345);
        a.call(func);
        a.pop(__qword_ptr[rbx + 16]);
        a.pop(rdx);
        a.leave();
        a.jmp(after);
        a.Label(ref func);
        a.enter(32, 0);
        a.mov(__qword_ptr[rbp - 8], rcx);
        a.leave();
        a.ret(8);
        a.Label(ref after);
        a.nop();
    });

    [Test]
    public void Stack_pointer_as_operand_of_push_and_pop_matches_native() => Check(a =>
    {
        a.push(rsp);
        a.pop(rax);
        a.push(__qword_ptr[rsp]);
        a.pop(__qword_ptr[rsp + 8]); // the address uses the incremented stack pointer
        a.push(rax);
        a.pop(rsp);
        a.xchg(__qword_ptr[rbx], rcx);
        a.@lock.xadd(__dword_ptr[rbx + 4], edx);
    });

    [Test]
    public void Indirect_call_and_jump_through_registers_and_memory_match_native()
    {
        Check(a =>
        {
            var func = a.CreateLabel(); var target = a.CreateLabel(); var done = a.CreateLabel();
            a.lea(rax, __[func]);
            a.call(rax);
            a.lea(rcx, __[target]);
            a.mov(__qword_ptr[rbx], rcx);
            a.jmp(__qword_ptr[rbx]);
            a.int3();
            a.Label(ref target);
            a.inc(rdx);
            a.jmp(done);
            a.Label(ref func);
            a.add(rsi, 5);
            a.ret();
            a.Label(ref done);
            a.nop();
        });
    }

    [Test]
    public void Conditional_branches_loops_and_jrcxz_match_native() => Check(a =>
    {
        var top = a.CreateLabel(); var skip = a.CreateLabel(); var end = a.CreateLabel(); var zero = a.CreateLabel();
        a.and(ecx, 15);
        a.jrcxz(zero);
        a.Label(ref top);
        a.add(rax, rdx);
        a.cmp(rax, rsi);
        a.jl(skip);
        a.xor(rdi, rax);
        a.Label(ref skip);
        a.ror(rdx, 3);
        a.loop(top);
        a.Label(ref zero);
        a.mov(ecx, 9);
        var again = a.CreateLabel();
        a.Label(ref again);
        a.test(rdx, 1);
        a.rcr(rdx, 1);
        a.loopne(again);
        a.jmp(end);
        a.Label(ref end);
        a.nop();
    });

    [Test]
    public void Pushfq_popfq_keep_arithmetic_flags_and_direction() => Check(a =>
    {
        a.pushfq();
        a.pop(rax);
        a.xor(rax, rdx);
        a.and(rax, (int)(Oszapc | DF));
        a.or(rax, 0x202);
        a.push(rax);
        a.popfq();
        a.pushfq();
        a.pop(rcx);
        a.cld();
    }, randomDirection: true);

    // ---------------- memory operands ----------------

    [Test]
    public void Bit_tests_with_register_offsets_reach_any_byte_of_the_string()
    {
        foreach (var m in new[] { Code.Bt_rm64_r64, Code.Bts_rm32_r32, Code.Btr_rm16_r16, Code.Btc_rm64_r64 })
            Check(a => a.AddInstruction(Instruction.Create(m, new MemoryOperand(Register.RBX, 0x20), m.ToString().Contains("64") ? Register.RCX : m.ToString().Contains("32") ? Register.ECX : Register.CX)),
                OF | SF | AF | PF, setup: (r, rng) => r[1] = (ulong)rng.Next(-0x1000, 0x1000));
    }

    [Test]
    public void Lea_with_index_scale_and_rip_relative_matches_native() => Check(a =>
    {
        a.lea(rax, __[rcx + rdx * 4 + 0x1234]);
        a.lea(esi, __[rdi + rbp * 8 - 7]);
        a.lea(r9w, __[rcx + rdx]);
        a.lea(r11d, __[ecx + edx * 2 + 0x10]); // address-size prefix: the address wraps at 32 bits
        a.mov(r12d, __dword_ptr[ebx]);
        var here = a.CreateLabel();
        a.Label(ref here);
        a.lea(r10, __[here]);
    });

    [Test]
    public void Cmpxchg_success_and_failure_match_native()
    {
        foreach (var (code, reg) in new[] { (Code.Cmpxchg_rm64_r64, Register.RCX), (Code.Cmpxchg_rm32_r32, Register.ECX), (Code.Cmpxchg_rm16_r16, Register.CX), (Code.Cmpxchg_rm8_r8, Register.CL) })
        {
            Check(a => a.AddInstruction(Instruction.Create(code, new MemoryOperand(Register.RBX, 0x40), reg)), setup: (r, rng) =>
            {
                if (rng.Next(2) == 0) BitConverter.TryWriteBytes(_harness.Sandbox.Memory(NativeSandbox.DataMiddleOffset + 0x40, 8), r[0]);
            });
            Check(a => a.AddInstruction(Instruction.Create(code, reg == Register.CL ? Register.DL : reg + 1, reg)), setup: (r, rng) =>
            {
                if (rng.Next(2) == 0) r[2] = r[0];
            });
        }
    }

    [Test]
    public void Cmpxchg8b_and_16b_success_and_failure_match_native()
    {
        Check(a => { a.@lock.cmpxchg8b(__qword_ptr[rbx + 0x40]); a.cmpxchg16b(__xmmword_ptr[rbx + 0x80]); }, setup: (r, rng) =>
        {
            if (rng.Next(2) == 0)
            {
                BitConverter.TryWriteBytes(_harness.Sandbox.Memory(NativeSandbox.DataMiddleOffset + 0x40, 4), (uint)r[0]);
                BitConverter.TryWriteBytes(_harness.Sandbox.Memory(NativeSandbox.DataMiddleOffset + 0x44, 4), (uint)r[2]);
            }
        });
    }
}
