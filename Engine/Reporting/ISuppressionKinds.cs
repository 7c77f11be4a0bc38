namespace Memcheck.Engine.Reporting;

/// <summary>What a kind's extra line reader made of the line after "Tool:Kind".</summary>
public enum ExtraLine
{
    /// <summary>The line is the kind's extra information.</summary>
    Taken,
    /// <summary>The kind has no extra line here: the line is the first location, read again as one.</summary>
    Left,
    /// <summary>"bad or missing extra suppression info".</summary>
    Bad,
}

/// <summary>
/// A tool's side of suppression files, as Valgrind's tools define it: the name files use for the tool
/// ("Memcheck"), its kinds, and how each kind reads the extra line after the kind line. The core parses the rest.
/// </summary>
public interface ISuppressionKinds
{
    string ToolName { get; }

    /// <summary>The kind a suppression's kind name stands for (old names give their current one); null when unknown.</summary>
    string? KindNamed(string name);

    /// <summary>
    /// The extra line of a kind that has one, given the next line (trimmed, never blank or a comment; null at the end
    /// of the file). Kinds without an extra line return <see cref="ExtraLine.Left"/>.
    /// </summary>
    ExtraLine ReadExtra(string kind, string? line);
}
