using System.Globalization;
using System.Text.RegularExpressions;

namespace Memcheck.Engine.Options;

/// <summary>Thrown by a value parser; a null detail means Valgrind reports the whole argument as unknown.</summary>
internal sealed class OptionValueException(string? detail) : Exception(detail ?? "unknown option")
{
    public string? Detail { get; } = detail;
}

/// <summary>Parses option values the way Valgrind's option macros do, with their messages.</summary>
internal static partial class OptionValue
{
    public static bool Bool(string value) => value switch
    {
        "yes" => true,
        "no" => false,
        _ => throw new OptionValueException($"Invalid boolean value '{value}' (should be 'yes' or 'no')"),
    };

    /// <summary>A decimal integer with an optional sign; like Valgrind, the empty string reads as 0.</summary>
    public static long Int(string name, string value, long min, long max) =>
        InRange(name, ParseInteger(value, DecimalInteger(), NumberStyles.AllowLeadingSign), min, max);

    public static long Int(string value) => ParseInteger(value, DecimalInteger(), NumberStyles.AllowLeadingSign);

    /// <summary>A hexadecimal integer, "0x" optional (--malloc-fill=ff and =0xff are the same).</summary>
    public static long Hex(string name, string value, long min, long max)
    {
        var match = HexInteger().Match(value);
        if (!match.Success) throw InvalidInteger(value);
        string digits = match.Groups["digits"].Value;
        if (digits.Length == 0) return InRange(name, 0, min, max);
        if (!long.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long magnitude) || magnitude < 0)
            throw InvalidInteger(value);
        return InRange(name, match.Groups["sign"].Value == "-" ? -magnitude : magnitude, min, max);
    }

    /// <summary>A plain decimal fraction ("1", "0.5", ".5"); Valgrind rejects exponents.</summary>
    public static double Double(string value)
    {
        if (!DecimalFraction().IsMatch(value))
            throw new OptionValueException($"Invalid floating point value '{value}'");
        return value.Length == 0 ? 0 : double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>One of a fixed set of words; anything else makes the whole option unknown, as in Valgrind.</summary>
    public static T Choice<T>(string value, IReadOnlyDictionary<string, T> choices) =>
        choices.TryGetValue(value, out var choice) ? choice : throw new OptionValueException(null);

    /// <summary>
    /// A comma-separated set of words, or exactly "all" or "none"; <paramref name="setName"/> appears in the message.
    /// </summary>
    public static TFlags Set<TFlags>(string value, string setName, IReadOnlyDictionary<string, TFlags> members,
        TFlags all, TFlags none) where TFlags : struct, Enum =>
        TrySet(value, members, all, none, out TFlags set) ? set : throw new OptionValueException($"{value} is an invalid {setName} set");

    /// <summary><see cref="Set"/> for values that are not options (a suppression's match-leak-kinds line).</summary>
    public static bool TrySet<TFlags>(string value, IReadOnlyDictionary<string, TFlags> members, TFlags all, TFlags none,
        out TFlags set) where TFlags : struct, Enum
    {
        set = value == "all" ? all : none;
        if (value is "all" or "none") return true;
        ulong bits = 0;
        foreach (string word in value.Split(','))
        {
            if (!members.TryGetValue(word, out var member)) return false;
            bits |= Convert.ToUInt64(member, CultureInfo.InvariantCulture);
        }
        set = (TFlags)Enum.ToObject(typeof(TFlags), bits);
        return true;
    }

    private static long ParseInteger(string value, Regex syntax, NumberStyles styles)
    {
        if (value.Length == 0) return 0;
        if (!syntax.IsMatch(value) || !long.TryParse(value, styles, CultureInfo.InvariantCulture, out long result))
            throw InvalidInteger(value);
        return result;
    }

    private static long InRange(string name, long value, long min, long max) =>
        value >= min && value <= max
            ? value
            : throw new OptionValueException($"'{name}' argument must be between {min} and {max}");

    private static OptionValueException InvalidInteger(string value) => new($"Invalid integer value '{value}'");

    [GeneratedRegex(@"^[+-]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^(?<sign>[+-]?)(0[xX])?(?<digits>[0-9a-fA-F]*)$")]
    private static partial Regex HexInteger();

    [GeneratedRegex(@"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)?$")]
    private static partial Regex DecimalFraction();
}
