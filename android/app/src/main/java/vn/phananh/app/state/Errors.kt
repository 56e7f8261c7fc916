package vn.phananh.app.state

import vn.phananh.core.PhanAnhException

/** What a screen shows for a failed core call: the core's own message, in the current language. */
data class Problem(val message: String, val field: String? = null, val offline: Boolean = false)

/** Every core error carries a message for people; the shells never write their own. */
fun PhanAnhException.toProblem(): Problem = when (this) {
    is PhanAnhException.Validation -> Problem(detail, field = field)
    is PhanAnhException.PhotoRejected -> Problem(detail, field = "photos")
    is PhanAnhException.Offline -> Problem(detail, offline = true)
    is PhanAnhException.NotFound -> Problem(detail)
    is PhanAnhException.NotEditable -> Problem(detail)
    is PhanAnhException.Server -> Problem(detail)
    is PhanAnhException.Storage -> Problem(detail)
    is PhanAnhException.Internal -> Problem(detail)
}

/** Run a core call; a failure becomes a [Problem] instead of an exception. */
inline fun <T> attempt(call: () -> T): Result<T> = try {
    Result.success(call())
} catch (e: PhanAnhException) {
    Result.failure(ProblemException(e.toProblem()))
}

/** Carries a [Problem] through [Result]. */
class ProblemException(val problem: Problem) : Exception(problem.message)

/** The problem inside a failed [Result], if any. */
fun Result<*>.problem(): Problem? = (exceptionOrNull() as? ProblemException)?.problem
