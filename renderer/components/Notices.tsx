import type { Notice } from "../../shared/app-state.js";

/** Notices from main, such as a settings file that was kept aside. */
export function Notices({ notices }: { notices: Notice[] }) {
  if (notices.length === 0) return null;
  return (
    <div className="notices">
      {notices.map((notice) => (
        <div key={notice.id} className={`notice ${notice.level}`} role="alert">
          <p>{notice.message}</p>
          <button onClick={() => void window.shield.dismissNotice(notice.id)}>
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
