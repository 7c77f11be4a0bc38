using System.Globalization;
using System.Text;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Core;

/// <summary>
/// VALGRIND_PRINTF's formatting: a printf format from guest memory with its arguments taken from an x86-64 va_list
/// in guest memory, the conversions Valgrind's own printf knows (d i u x X o p s c f e g %, flags - 0 + space and
/// ',', width and precision, '*' for either, length modifiers). As in Valgrind, %p prints 0x and upper-case digits.
/// </summary>
internal sealed unsafe class ClientPrintf(GuestMemory memory)
{
    /// <summary>
    /// A copy of the guest's va_list (gp_offset, fp_offset, overflow_arg_area, reg_save_area, System V x86-64 ABI),
    /// consumed without writing the guest's.
    /// </summary>
    private ref struct VaList
    {
        private const uint GpLimit = 48, FpLimit = 176;
        private readonly GuestMemory _memory;
        private readonly ulong _registerSaveArea;
        private uint _gpOffset, _fpOffset;
        private ulong _overflow;

        public VaList(GuestMemory memory, ulong address)
        {
            _memory = memory;
            memory.TryRead(address, out _gpOffset);
            memory.TryRead(address + 4, out _fpOffset);
            memory.TryRead(address + 8, out _overflow);
            memory.TryRead(address + 16, out _registerSaveArea);
        }

        public ulong NextWord()
        {
            if (_gpOffset >= GpLimit) return Overflow();
            _gpOffset += 8;
            return Word(_registerSaveArea + _gpOffset - 8);
        }

        public double NextDouble()
        {
            if (_fpOffset >= FpLimit) return BitConverter.UInt64BitsToDouble(Overflow());
            _fpOffset += 16;
            return BitConverter.UInt64BitsToDouble(Word(_registerSaveArea + _fpOffset - 16));
        }

        private ulong Overflow()
        {
            _overflow += 8;
            return Word(_overflow - 8);
        }

        private readonly ulong Word(ulong at) => _memory.TryRead(at, out ulong value) ? value : 0;
    }

    /// <summary>The text the format makes of the arguments at <paramref name="vaList"/>.</summary>
    public string Format(ulong format, ulong vaList)
    {
        string? text = memory.ReadCString(format, int.MaxValue);
        if (text is null) return "";
        var args = new VaList(memory, vaList);
        var output = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '%' || i + 1 == text.Length)
            {
                output.Append(text[i]);
                continue;
            }
            i = Conversion(text, i + 1, ref args, output);
        }
        return output.ToString();
    }

    /// <summary>Formats the conversion starting after its '%' at <paramref name="at"/>; returns the index of its last character.</summary>
    private int Conversion(string text, int at, ref VaList args, StringBuilder output)
    {
        bool left = false, zero = false, plus = false, space = false, thousands = false;
        for (; at < text.Length && "-0+ ,".Contains(text[at]); at++)
        {
            left |= text[at] == '-';
            zero |= text[at] == '0';
            plus |= text[at] == '+';
            space |= text[at] == ' ';
            thousands |= text[at] == ',';
        }
        int width = Number(text, ref at, ref args);
        int precision = -1;
        if (at < text.Length && text[at] == '.')
        {
            at++;
            precision = Number(text, ref at, ref args);
        }
        int bits = 32;
        for (; at < text.Length && "hlLqjzt".Contains(text[at]); at++)
            bits = text[at] == 'h' ? bits / 2 : 64;
        if (at == text.Length) return at - 1;

        char conversion = text[at];
        string body = conversion switch
        {
            'd' or 'i' => Signed(SignExtended(args.NextWord(), bits), plus, space, thousands),
            'u' => Grouped(Truncated(args.NextWord(), bits).ToString(CultureInfo.InvariantCulture), thousands),
            'x' => Truncated(args.NextWord(), bits).ToString("x", CultureInfo.InvariantCulture),
            'X' => Truncated(args.NextWord(), bits).ToString("X", CultureInfo.InvariantCulture),
            'o' => Convert.ToString((long)Truncated(args.NextWord(), bits), 8),
            'p' => "0x" + args.NextWord().ToString("X", CultureInfo.InvariantCulture),
            'c' => ((char)(byte)args.NextWord()).ToString(),
            // Valgrind's printf ignores a string's precision.
            's' => memory.ReadCString(args.NextWord(), int.MaxValue) ?? "(null)",
            'f' or 'F' or 'e' or 'E' or 'g' or 'G' => Floating(args.NextDouble(), conversion, precision, plus, space),
            '%' => "%",
            _ => "%" + conversion,
        };
        if (body.Length >= width) output.Append(body);
        else if (left) output.Append(body).Append(' ', width - body.Length);
        else if (zero && conversion is not ('s' or 'c' or '%')) output.Append(ZeroPadded(body, width));
        else output.Append(' ', width - body.Length).Append(body);
        return at;
    }

    /// <summary>A width or precision: digits, or '*' taking an int argument.</summary>
    private static int Number(string text, ref int at, ref VaList args)
    {
        if (at < text.Length && text[at] == '*')
        {
            at++;
            return (int)args.NextWord();
        }
        int value = 0;
        for (; at < text.Length && char.IsAsciiDigit(text[at]); at++) value = value * 10 + (text[at] - '0');
        return value;
    }

    private static string Signed(long value, bool plus, bool space, bool thousands)
    {
        string digits = Grouped(value == long.MinValue ? "9223372036854775808" : Math.Abs(value).ToString(CultureInfo.InvariantCulture), thousands);
        return (value < 0 ? "-" : plus ? "+" : space ? " " : "") + digits;
    }

    /// <summary>Valgrind's ',' flag: thousands separated by commas.</summary>
    private static string Grouped(string digits, bool thousands)
    {
        if (!thousands) return digits;
        var grouped = new StringBuilder();
        for (int i = 0; i < digits.Length; i++)
        {
            if (i > 0 && (digits.Length - i) % 3 == 0) grouped.Append(',');
            grouped.Append(digits[i]);
        }
        return grouped.ToString();
    }

    private static string Floating(double value, char style, int precision, bool plus, bool space)
    {
        int digits = precision < 0 ? 6 : precision;
        string text = style switch
        {
            'e' or 'E' => value.ToString((digits == 0 ? "0" : "0." + new string('0', digits)) + style + "+00", CultureInfo.InvariantCulture),
            'g' or 'G' => value.ToString(style.ToString() + Math.Max(digits, 1), CultureInfo.InvariantCulture),
            _ => value.ToString("F" + digits, CultureInfo.InvariantCulture),
        };
        return value >= 0 && plus ? "+" + text : value >= 0 && space ? " " + text : text;
    }

    /// <summary>An argument of <paramref name="bits"/> bits (int by default, long with l, short with h) from its 64-bit slot.</summary>
    private static ulong Truncated(ulong value, int bits) => bits >= 64 ? value : value & ((1UL << bits) - 1);

    private static long SignExtended(ulong value, int bits) => bits >= 64 ? (long)value : (long)(value << (64 - bits)) >> (64 - bits);

    /// <summary>Zeros after the sign (and 0x), up to the width.</summary>
    private static string ZeroPadded(string body, int width)
    {
        int prefix = body.StartsWith("0x") ? 2 : body.Length > 0 && body[0] is '-' or '+' or ' ' ? 1 : 0;
        return body[..prefix] + new string('0', width - body.Length) + body[prefix..];
    }
}
