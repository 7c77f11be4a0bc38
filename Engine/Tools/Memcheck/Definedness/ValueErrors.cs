using Memcheck.Engine.Tools.Memcheck.Errors;

namespace Memcheck.Engine.Tools.Memcheck.Definedness;

/// <summary>Errors about undefined values: after any of them, without --track-origins, Valgrind ends with a hint.</summary>
public static class ValueErrors
{
    public const string TrackOriginsHint = "Use --track-origins=yes to see where uninitialised values come from";

    public static bool Is(MemcheckErrorKind kind) => kind is MemcheckErrorKind.UninitialisedCondition
        or MemcheckErrorKind.UninitialisedValue or MemcheckErrorKind.UninitialisedSyscallParam or MemcheckErrorKind.UninitialisedClientCheck;

    public static bool AnyIn(ErrorLog errors) => errors.Errors.Any(e => Is(e.Error.Kind));
}
