import type { Problem } from '../messages';

/** What happened and what to do, with the code and the raw text in a details line. */
export function ProblemText({ problem, role = 'alert' }: { problem: Problem; role?: 'alert' | 'status' }) {
  return (
    <div role={role} className="problem error">
      <p>
        <span className="problem-what">{problem.what}</span> <span className="problem-action">{problem.action}</span>
      </p>
      {problem.details && (
        <details className="details">
          <summary>Details</summary>
          <code>{problem.details}</code>
        </details>
      )}
    </div>
  );
}
