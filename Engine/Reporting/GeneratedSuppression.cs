using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Reporting;

/// <summary>
/// The suppression --gen-suppressions writes for a shown error, as Valgrind writes it: a placeholder name, the
/// tool's kind and extra line, and one location per shown frame: fun: with the symbol name where the frame has one,
/// else obj: with the object, else obj:*.
/// </summary>
public sealed record GeneratedSuppression(string Tool, string Kind, string? Extra, StackTrace Stack)
{
    public const string PlaceholderName = "insert_a_suppression_name_here";

    /// <summary>The suppression as text, ready for a suppression file.</summary>
    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string> { "{", $"   <{PlaceholderName}>", $"   {Tool}:{Kind}" };
        if (Extra is not null) lines.Add("   " + Extra);
        lines.AddRange(Stack.Frames.Select(f => "   " + Location(f)));
        lines.Add("}");
        return lines;
    }

    private static string Location(StackFrame frame) =>
        frame.SymbolName is { } name ? "fun:" + name : "obj:" + (frame.Object ?? "*");

    /// <summary>The element for XML output: the same parts, then the text in a CDATA section.</summary>
    public void WriteXml(TextWriter xml)
    {
        xml.Write("  <suppression>\n");
        xml.Write($"    <sname>{PlaceholderName}</sname>\n");
        xml.Write($"    <skind>{XmlText.Escape($"{Tool}:{Kind}")}</skind>\n");
        if (Extra is not null) xml.Write($"    <skaux>{XmlText.Escape(Extra)}</skaux>\n");
        foreach (StackFrame frame in Stack.Frames)
            xml.Write(frame.SymbolName is { } name
                ? $"    <sframe> <fun>{XmlText.Escape(name)}</fun> </sframe>\n"
                : $"    <sframe> <obj>{XmlText.Escape(frame.Object ?? "*")}</obj> </sframe>\n");
        xml.Write("    <rawtext>\n<![CDATA[\n");
        foreach (string line in Lines()) xml.Write(line + "\n");
        xml.Write("]]>\n    </rawtext>\n  </suppression>\n");
    }
}
