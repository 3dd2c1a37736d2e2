"""The `--serve` page: the pretend workspace's conversations, refreshed as messages arrive,
with the Slack buttons pressable (sent to the desk as signed Slack requests)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from handlers.demo import cast
from handlers.demo.render import message_lines
from handlers.demo.workspace import Workspace

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AI Incident Desk: demo workspace</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f4f4f6;color:#1d1c1d}
header{background:#3f0e40;color:#fff;padding:12px 20px}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px;padding:16px}
section{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 3px #0002}
h2{font-size:15px;margin:0 0 8px}
.msg{border-top:1px solid #eee;padding:8px 0;white-space:pre-wrap}
.who{font-weight:600;font-size:13px;color:#616061}
.teams h2{color:#464775}
.updated{font-size:12px;color:#1264a3}
</style></head><body>
<header><strong>AI Incident Desk</strong>: the demo's pretend Slack and Teams.
Messages appear as the desk sends them. Press Slack buttons as
<select id="who"><option value="U0ADA">Ada (incident admin)</option>
<option value="U0RITA">Rita (not an admin)</option><option value="U0OWEN">Owen</option></select>
<span id="status"></span> Not legal advice.</header>
<main id="feed"></main>
<script>
async function refresh(){
  const res = await fetch('messages.json'); const data = await res.json();
  const feed = document.getElementById('feed'); feed.replaceChildren();
  for (const conv of data){
    const s = document.createElement('section'); s.className = conv.platform;
    const h = document.createElement('h2'); h.textContent = conv.place; s.append(h);
    for (const m of conv.messages){
      const d = document.createElement('div'); d.className = 'msg';
      const w = document.createElement('div'); w.className = 'who';
      w.textContent = m.author + (m.thread ? ' · in thread' : '');
      d.append(w, document.createTextNode(m.lines.join('\\n')));
      if (m.buttons.length){ const bar = document.createElement('div');
        for (const b of m.buttons){ const btn = document.createElement('button');
          btn.textContent = b.label; btn.onclick = () => press(m.seq, b.index); bar.append(btn); }
        d.append(bar); }
      if (m.updates){ const u = document.createElement('div'); u.className = 'updated';
        u.textContent = 'updated in place ' + m.updates + ' time(s)'; d.append(u); }
      s.append(d);
    }
    feed.append(s);
  }
}
async function press(seq, index){
  const user = document.getElementById('who').value;
  const res = await fetch('click', {method: 'POST',
    body: JSON.stringify({seq: seq, index: index, user: user})});
  document.getElementById('status').textContent = (await res.json()).result;
}
refresh(); setInterval(refresh, 1000);
</script></body></html>
"""


def page_routes(workspace: Workspace) -> dict[str, Handler]:
    """GET / (the page) and GET /messages.json (every conversation, oldest message first)."""

    async def index(_: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    async def messages(_: web.Request) -> web.Response:
        conversations: dict[str, dict[str, object]] = {}
        for shown in workspace.messages:
            conversation = conversations.setdefault(
                shown.conversation,
                {
                    "place": cast.place(shown.conversation),
                    "platform": shown.platform,
                    "messages": [],
                },
            )
            lines = message_lines(shown)
            listed = conversation["messages"]
            assert isinstance(listed, list)
            listed.append(
                {
                    "seq": shown.seq,
                    "buttons": workspace.buttons(shown),
                    "author": shown.author,
                    "lines": lines,
                    "thread": shown.thread,
                    "updates": shown.updates,
                }
            )
        return web.Response(
            text=json.dumps(list(conversations.values())), content_type="application/json"
        )

    return {"/": index, "/messages.json": messages}
