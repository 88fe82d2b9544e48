import { useState } from "react";

import { ClientsPanel } from "./components/ClientsPanel.js";
import { Notices } from "./components/Notices.js";
import { OverviewPanel } from "./components/OverviewPanel.js";
import { ProtectionsPanel } from "./components/ProtectionsPanel.js";
import { StatusPanel } from "./components/StatusPanel.js";
import { useAppState, useStats } from "./hooks.js";

const TABS = [
  { id: "overview", label: "Overview" },
  { id: "protections", label: "Protections" },
  { id: "clients", label: "Clients" },
] as const;

type Tab = (typeof TABS)[number]["id"];

/** Shows the dashboard: status on top, then one of three tabs. */
export function App() {
  const state = useAppState();
  const stats = useStats();
  const [tab, setTab] = useState<Tab>("overview");

  if (!state) return <p className="loading">Connecting to Node Shield…</p>;
  return (
    <main>
      <Notices notices={state.notices} />
      <StatusPanel state={state} />
      <nav className="tabs" role="tablist">
        {TABS.map(({ id, label }) => (
          <button
            key={id}
            role="tab"
            aria-selected={tab === id}
            onClick={() => setTab(id)}
          >
            {label}
          </button>
        ))}
      </nav>
      <section role="tabpanel" aria-label={tab}>
        {tab === "overview" && <OverviewPanel stats={stats} />}
        {tab === "protections" && <ProtectionsPanel state={state} />}
        {tab === "clients" && <ClientsPanel stats={stats} />}
      </section>
    </main>
  );
}
