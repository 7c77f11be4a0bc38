using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Reporting;

/// <summary>
/// One line under an error's stack and the stack it introduces, if any: Valgrind's "auxwhat" (" Address 0x... is 0
/// bytes after a block of size 40 alloc'd" and the block's allocation stack).
/// </summary>
public sealed record AuxLine(string Text, StackTrace? Stack = null);

/// <summary>Bytes and blocks a leak error is about (XML's leakedbytes and leakedblocks).</summary>
public readonly record struct LeakedAmount(ulong Bytes, ulong Blocks);

/// <summary>
/// An error as the core shows it, whatever the tool: its headline, stack and the lines under it, for the text report,
/// and its XML kind. Tools map their typed errors to this shape; the text and XML writers render it.
/// </summary>
public sealed record ErrorReport(string XmlKind, string What, StackTrace Stack, IReadOnlyList<AuxLine> Details)
{
    /// <summary>Valgrind's usual &lt;what&gt; element; some kinds lay it out their own way (see their tables).</summary>
    public const string PlainWhat = "  <what>{0}</what>\n";

    /// <summary>The &lt;what&gt; element with {0} for the escaped headline.</summary>
    public string WhatLayout { get; init; } = PlainWhat;

    /// <summary>Set for leaks, whose XML carries an &lt;xwhat&gt; with the amounts.</summary>
    public LeakedAmount? Leaked { get; init; }

    /// <summary>Valgrind's text lines, without the blank line after them: headline, stack, each aux line and its stack.</summary>
    public IReadOnlyList<string> TextLines() => [What, .. Stack.Render(), .. Details.SelectMany(AuxText)];

    /// <summary>An aux line as text: indented one space, its stack after it.</summary>
    public static IEnumerable<string> AuxText(AuxLine aux) => [" " + aux.Text, .. aux.Stack?.Render() ?? []];
}
