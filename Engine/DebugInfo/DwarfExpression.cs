namespace Memcheck.Engine.DebugInfo;

/// <summary>
/// Evaluates the DWARF expressions of call-frame information (DW_CFA_def_cfa_expression,
/// DW_CFA_expression, DW_CFA_val_expression): the stack machine's arithmetic, logic, comparison,
/// branch, constant, register (breg/bregx) and memory (deref) operations. Location operators
/// (reg*, regx, piece, fbreg) have no meaning there and make the value unknown.
/// </summary>
internal static class DwarfExpression
{
    private const int MaxSteps = 10_000;

    /// <summary>
    /// The value on top of the stack after running the expression, or null when it reads an unknown
    /// register or unreadable memory, uses an operator CFI does not allow, or is malformed.
    /// </summary>
    /// <param name="regs">Registers in DWARF numbering (null when unknown).</param>
    /// <param name="initial">Pushed before the expression runs (the CFA, for DW_CFA_expression and val_expression).</param>
    public static ulong? Evaluate(ReadOnlySpan<byte> expression, ulong?[] regs, Func<ulong, ulong?> readWord, ulong? initial)
    {
        var stack = new Stack<ulong>();
        if (initial is { } i) stack.Push(i);
        var c = new DwarfCursor(expression);
        for (int steps = 0; !c.AtEnd; steps++)
        {
            if (steps == MaxSteps) return null;
            byte op = c.U8();
            if (op is >= 0x30 and <= 0x4f) { stack.Push((ulong)(op - 0x30)); continue; }           // lit0..lit31
            if (op is >= 0x70 and <= 0x8f)                                                          // breg0..breg31
            {
                if (Register(regs, op - 0x70) is not { } value) return null;
                stack.Push(value + (ulong)c.Sleb());
                continue;
            }
            switch (op)
            {
                case 0x03: stack.Push(c.U64()); break;                                             // addr
                case 0x06: if (!stack.TryPop(out var a) || readWord(a) is not { } word) return null; stack.Push(word); break; // deref
                case 0x08: stack.Push(c.U8()); break;                                              // const1u
                case 0x09: stack.Push((ulong)(long)c.S8()); break;                                 // const1s
                case 0x0a: stack.Push(c.U16()); break;                                             // const2u
                case 0x0b: stack.Push((ulong)(long)(short)c.U16()); break;                         // const2s
                case 0x0c: stack.Push(c.U32()); break;                                             // const4u
                case 0x0d: stack.Push((ulong)(long)(int)c.U32()); break;                           // const4s
                case 0x0e or 0x0f: stack.Push(c.U64()); break;                                     // const8u, const8s
                case 0x10: stack.Push(c.Uleb()); break;                                            // constu
                case 0x11: stack.Push((ulong)c.Sleb()); break;                                     // consts
                case 0x12: if (stack.Count < 1) return null; stack.Push(stack.Peek()); break;      // dup
                case 0x13: if (!stack.TryPop(out _)) return null; break;                          // drop
                case 0x14 or 0x15:                                                                 // over, pick
                {
                    int index = op == 0x14 ? 1 : c.U8();
                    if (index >= stack.Count) return null;
                    stack.Push(stack.ElementAt(index));
                    break;
                }
                case 0x16:                                                                         // swap
                {
                    if (stack.Count < 2) return null;
                    ulong top = stack.Pop(), second = stack.Pop();
                    stack.Push(top); stack.Push(second);
                    break;
                }
                case 0x17:                                                                         // rot
                {
                    if (stack.Count < 3) return null;
                    ulong top = stack.Pop(), second = stack.Pop(), third = stack.Pop();
                    stack.Push(top); stack.Push(third); stack.Push(second);
                    break;
                }
                case 0x19: if (!stack.TryPop(out var v)) return null; stack.Push((ulong)Math.Abs((long)v)); break; // abs
                case 0x1f: if (!stack.TryPop(out v)) return null; stack.Push((ulong)-(long)v); break;              // neg
                case 0x20: if (!stack.TryPop(out v)) return null; stack.Push(~v); break;                           // not
                case 0x23: if (!stack.TryPop(out v)) return null; stack.Push(v + c.Uleb()); break;                 // plus_uconst
                case 0x28:                                                                         // bra
                {
                    short offset = (short)c.U16();
                    if (!stack.TryPop(out v)) return null;
                    if (v != 0 && !Jump(ref c, offset, expression.Length)) return null;
                    break;
                }
                case 0x2f: if (!Jump(ref c, (short)c.U16(), expression.Length)) return null; break; // skip
                case 0x92:                                                                         // bregx
                {
                    if (Register(regs, (int)c.Uleb()) is not { } value) return null;
                    stack.Push(value + (ulong)c.Sleb());
                    break;
                }
                case 0x94:                                                                         // deref_size
                {
                    int size = c.U8();
                    if (!stack.TryPop(out a) || size is < 1 or > 8 || readWord(a) is not { } bytes) return null;
                    stack.Push(size == 8 ? bytes : bytes & ((1UL << (size * 8)) - 1));
                    break;
                }
                case 0x96: break;                                                                  // nop
                default:
                    if (Binary(op) is not { } operation || !stack.TryPop(out var right) || !stack.TryPop(out var left)) return null;
                    if (operation(left, right) is not { } result) return null;
                    stack.Push(result);
                    break;
            }
        }
        return stack.TryPop(out var value2) ? value2 : null;
    }

    /// <summary>The two-operand operators: second-from-top (left) op top (right); comparisons are signed.</summary>
    private static Func<ulong, ulong, ulong?>? Binary(byte op) => op switch
    {
        0x1a => (l, r) => l & r,
        0x1b => (l, r) => r == 0 ? null : (ulong)((long)l / (long)r),
        0x1c => (l, r) => l - r,
        0x1d => (l, r) => r == 0 ? null : l % r,
        0x1e => (l, r) => l * r,
        0x21 => (l, r) => l | r,
        0x22 => (l, r) => l + r,
        0x24 => (l, r) => r >= 64 ? 0 : l << (int)r,
        0x25 => (l, r) => r >= 64 ? 0 : l >> (int)r,
        0x26 => (l, r) => (ulong)((long)l >> (int)Math.Min(r, 63)),
        0x27 => (l, r) => l ^ r,
        0x29 => (l, r) => l == r ? 1UL : 0,
        0x2a => (l, r) => (long)l >= (long)r ? 1UL : 0,
        0x2b => (l, r) => (long)l > (long)r ? 1UL : 0,
        0x2c => (l, r) => (long)l <= (long)r ? 1UL : 0,
        0x2d => (l, r) => (long)l < (long)r ? 1UL : 0,
        0x2e => (l, r) => l != r ? 1UL : 0,
        _ => null,
    };

    private static bool Jump(ref DwarfCursor c, short offset, int length)
    {
        int target = c.Position + offset;
        if (target < 0 || target > length) return false;
        c.Position = target;
        return true;
    }

    private static ulong? Register(ulong?[] regs, int number) => number < regs.Length ? regs[number] : null;
}
