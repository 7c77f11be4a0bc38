using System.Globalization;

namespace Memcheck.Engine.Tools.Memcheck.Reporting;

/// <summary>Valgrind prints counts with %'lu: thousands separated by commas.</summary>
public static class ValgrindNumber
{
    public static string Format(ulong value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
