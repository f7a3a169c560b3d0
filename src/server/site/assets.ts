/**
 * The site's stylesheet and its one small script, served from memory at
 * /site/site.css and /site/site.js (kept in TypeScript so `tsc` ships them
 * with the server, no copy step). No inline script anywhere: the pages'
 * Content-Security-Policy allows scripts from this origin only.
 */

export const SITE_CSS = `
:root{--ink:#15171a;--muted:#5d636b;--line:#e3e5e8;--bg:#f5f5f3;--card:#fff;--red:#d7141a;--dark:#0d1117;--dark2:#161b22;--gold:#f2b705;
--sans:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;--serif:Georgia,"Times New Roman",serif}
*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 var(--sans);color:var(--ink);background:var(--bg)}
a{color:inherit}a:hover{color:var(--red)}
.wrap{max-width:1240px;margin:0 auto;padding:0 20px}
.topbar{background:var(--dark);color:#fff;border-bottom:4px solid var(--red)}
.topbar .wrap{display:flex;align-items:center;gap:24px;min-height:60px;flex-wrap:wrap}
.logo{font:900 26px/1 var(--sans);letter-spacing:.08em;text-decoration:none;color:#fff;display:flex;align-items:center;gap:10px}
.logo b{background:var(--red);padding:4px 7px;border-radius:3px}.logo span{font-weight:400;font-size:12px;letter-spacing:.18em;color:#9aa4b2;text-transform:uppercase}
.mainnav{display:flex;gap:18px;flex:1;font-weight:700;text-transform:uppercase;font-size:13px;letter-spacing:.06em}
.mainnav a{white-space:nowrap;flex-shrink:0;text-decoration:none;color:#d5dae1;padding:20px 0;border-bottom:3px solid transparent}.mainnav a:hover,.mainnav a.on{color:#fff;border-color:var(--red)}
.account{display:flex;gap:12px;align-items:center;font-size:14px}.account a{color:#d5dae1;text-decoration:none}
.account form{margin:0}.linkbtn{background:none;border:0;color:#d5dae1;font:inherit;cursor:pointer;padding:0}
.btn{display:inline-block;background:var(--red);color:#fff!important;border:0;border-radius:3px;padding:8px 14px;font:700 14px var(--sans);text-decoration:none;cursor:pointer}
.btn.ghost{background:transparent;border:1px solid currentColor;color:var(--ink)!important}.btn.dark{background:var(--dark)}
.ticker{background:var(--dark2);color:#c9d1d9;font-size:13px}.strip-line{display:flex;gap:8px 16px;align-items:center;min-height:34px;overflow:hidden;white-space:nowrap}
.strip-race{color:#fff;font-weight:700;text-decoration:none;flex-shrink:0}.strip-line .clock{flex-shrink:0}.strip-leader{min-width:0;overflow:hidden;text-overflow:ellipsis}.strip-line .clock{font-variant-numeric:tabular-nums;font-weight:700;color:#fff}
.mode{font:800 11px var(--sans);letter-spacing:.08em;text-transform:uppercase;padding:3px 8px;border-radius:2px;background:#2d333b;color:#e6edf3;flex-shrink:0}
.mode-live,.mode-delayed{background:var(--red);color:#fff}.mode-finished,.mode-final{background:#e6edf3;color:#111}.mode-stalled{background:var(--gold);color:#111}.mode-travel{background:#1f63e0;color:#fff}
main{padding:24px 0 48px}
.grid{display:grid;grid-template-columns:minmax(0,1fr) 320px;gap:32px}
h1,h2,h3{line-height:1.2}
.section-title{font:900 14px var(--sans);text-transform:uppercase;letter-spacing:.1em;border-bottom:3px solid var(--ink);padding-bottom:6px;margin:0 0 16px;display:flex;justify-content:space-between;align-items:baseline}
.section-title a{font-size:12px;color:var(--muted);text-decoration:none}
.kicker{display:inline-block;font:800 11px var(--sans);text-transform:uppercase;letter-spacing:.1em;color:var(--red)}
.kicker.draft{color:#fff;background:#8a6d00;padding:1px 6px}
.lead-story{background:var(--card);border-top:4px solid var(--red);padding:22px 24px;margin-bottom:24px}
.lead-story h2{font:800 32px/1.15 var(--sans);margin:6px 0 10px}.lead-story h2 a{text-decoration:none}
.lead-story p{font:19px/1.5 var(--serif);color:#33383e;margin:0 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:18px}
.card{background:var(--card);padding:16px 18px;border-top:3px solid var(--line);display:flex;flex-direction:column;gap:6px}
.card:hover{border-top-color:var(--red)}.card h3{margin:0;font:800 18px/1.25 var(--sans)}.card h3 a{text-decoration:none}
.card p{margin:0;color:#41464d;font:15px/1.45 var(--serif)}
.meta{font-size:12.5px;color:var(--muted)}.meta time{font-variant-numeric:tabular-nums}
.newslist{list-style:none;margin:0;padding:0}.newslist li{padding:10px 0;border-bottom:1px solid var(--line)}
.newslist a{text-decoration:none;font-weight:700;display:block;line-height:1.3}.newslist .meta{display:block;margin-top:3px}
.panel{background:var(--dark);color:#e6edf3;border-radius:4px;overflow:hidden;margin-bottom:28px}
.strip-panel header{display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center;padding:12px 16px;background:var(--dark2);border-bottom:2px solid var(--red)}
.strip-panel header h2{margin:0;font:800 18px var(--sans)}.strip-panel header a{color:#fff}.strip-panel .remaining,.strip-panel .tod{font-variant-numeric:tabular-nums;color:#c9d1d9}
.strip-feed{margin:0;padding:8px 16px;font-size:13px;color:#c9d1d9;border-bottom:1px solid #30363d}.strip-feed time{font-variant-numeric:tabular-nums;color:#9aa4b2}
.pill{font:800 11px var(--sans);letter-spacing:.08em;text-transform:uppercase;padding:3px 8px;border-radius:2px;background:#2d333b}
.pill.flag-green{background:#1a7f37}.pill.flag-fcy,.pill.flag-safety-car{background:var(--gold);color:#111}.pill.flag-inferred{background:#2d333b;color:var(--gold);outline:2px dashed var(--gold);outline-offset:-2px}.pill.flag-red{background:#b62324}.pill.flag-finish{background:#e6edf3;color:#111}
.panel .clock{font:700 20px var(--sans);font-variant-numeric:tabular-nums}
.panel .leaders{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:1px;background:#30363d;border-bottom:1px solid #30363d}
.panel .leaders div{background:var(--dark);padding:10px 14px;font-size:14px}.panel .leaders b{display:block;font-size:11px;letter-spacing:.08em;text-transform:uppercase;color:#9aa4b2}
.panel .leaders i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;background:var(--cls,#888)}
.timing-frame{display:block;width:100%;height:540px;border:0;background:var(--dark)}.timing-frame.tall{height:min(900px,calc(100vh - 40px))}
.panel footer{padding:8px 16px;font-size:13px;color:#9aa4b2}.panel footer a{color:#fff}
.ad-slot{margin:0 0 24px}.ad-slot .ad{height:250px;background:repeating-linear-gradient(45deg,#eceae4,#eceae4 10px,#e4e2db 10px,#e4e2db 20px);display:flex;align-items:center;justify-content:center;color:#8b8a84;font:700 11px var(--sans);letter-spacing:.2em;text-transform:uppercase;border:1px solid #dcdad3}
.ad-slot.leaderboard .ad{height:90px}
.adblock-notice{background:#fff8e1;border:1px solid #f2d27a;padding:12px 14px;font-size:14px;margin:0 0 24px}
.article{background:var(--card);padding:28px 32px 36px}
.article h1{font:800 40px/1.12 var(--sans);margin:8px 0 14px;letter-spacing:-.01em}
.standfirst{font:21px/1.45 var(--serif);color:#33383e;margin:0 0 16px}
.byline{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:14px;color:var(--muted);border-top:1px solid var(--line);border-bottom:1px solid var(--line);padding:10px 0;margin-bottom:20px}.byline strong{color:var(--ink)}
.body{font:18px/1.65 var(--serif);max-width:720px}.body h2{font:800 22px var(--sans);margin:28px 0 8px}.body h3{font:800 16px var(--sans);margin:20px 0 6px;text-transform:uppercase;letter-spacing:.05em}
.body table{border-collapse:collapse;width:100%;display:block;overflow-x:auto;font:14px/1.35 var(--sans);margin:8px 0 16px;font-variant-numeric:tabular-nums}.body th,.body td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left}.body th{background:#f0f0ee;font-size:12px;text-transform:uppercase}
.body img{max-width:100%;height:auto}.body blockquote{border-left:4px solid var(--red);margin:16px 0;padding:4px 16px;color:#41464d}
.tablewrap{overflow-x:auto}
.tags{display:flex;flex-wrap:wrap;gap:6px;margin-top:24px}.tags a{font:700 12px var(--sans);background:#eef0f2;padding:4px 9px;border-radius:2px;text-decoration:none;text-transform:uppercase;letter-spacing:.04em}
.notice{background:#fff;border-left:4px solid var(--red);padding:12px 16px;margin:0 0 20px}
.notice.ok{border-color:#1a7f37}
.form{background:var(--card);padding:24px;max-width:460px}.form.wide{max-width:none}
.form label{display:block;font-weight:700;font-size:14px;margin:12px 0 4px}.form input[type=text],.form input[type=email],.form input[type=password],.form textarea,.form select{width:100%;padding:9px 10px;border:1px solid #c9cdd2;border-radius:3px;font:16px var(--sans)}
.form textarea{font:15px/1.5 ui-monospace,Menlo,Consolas,monospace;min-height:420px}.form .actions{display:flex;gap:10px;margin-top:18px;flex-wrap:wrap}
table.list{width:100%;border-collapse:collapse;background:var(--card);font-size:14px}table.list th,table.list td{padding:8px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
table.list form{display:inline-flex;gap:6px;align-items:center;margin:0}
.reports-list{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:8px}
.reports-list a{display:block;background:var(--card);padding:10px 12px;text-decoration:none;border-left:3px solid var(--red);font-size:14px}.reports-list b{display:block;font-size:12px;color:var(--red);text-transform:uppercase;letter-spacing:.06em}
.sitefoot{background:var(--dark);color:#9aa4b2;font-size:13px;padding:24px 0}.sitefoot a{color:#d5dae1}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
@media (max-width:900px){.grid{grid-template-columns:minmax(0,1fr)}.article{padding:20px 18px}.article h1{font-size:30px}.lead-story h2{font-size:26px}.mainnav{order:3;flex-basis:100%;flex-wrap:wrap;gap:0 14px;letter-spacing:.03em;font-size:12px}.mainnav a{padding:8px 0 10px}.topbar .wrap{gap:8px 16px;padding-top:10px}.timing-frame{height:480px}}
@media (max-width:600px){.body table{display:table;font-size:12.5px;table-layout:auto}.body th,.body td{padding:5px 4px}.body th{font-size:10.5px;letter-spacing:0}.body td{overflow-wrap:anywhere}}
@media (max-width:480px){.wrap{padding:0 12px}.strip-leader{display:none}.strip-line{flex-wrap:wrap;row-gap:2px;padding:4px 0}.panel .leaders{grid-template-columns:1fr 1fr}.panel .leaders div{font-size:12.5px;padding:8px 10px}.strip-panel header{padding:10px 12px}.strip-panel header h2{font-size:16px;flex-basis:100%}.account{font-size:13px;gap:10px}.logo{font-size:22px}.logo span{display:none}.standfirst{font-size:18px}.article h1{font-size:26px}.lead-story{padding:18px}.lead-story h2{font-size:23px}.lead-story p{font-size:17px}.body{font-size:17px}.ad-slot .ad{height:120px}}
`;

/**
 * The ad-blocker notice: an ad blocker hides the slot (display:none or zero
 * height); the page then shows its polite notice instead. Nothing else on
 * the page depends on this script.
 */
export const SITE_JS = `
(function () {
  function check() {
    document.querySelectorAll('[data-ad-slot]').forEach(function (slot) {
      var ad = slot.querySelector('.ad');
      var hidden = !ad || ad.offsetHeight === 0 || getComputedStyle(ad).display === 'none' || getComputedStyle(slot).display === 'none';
      var notice = document.getElementById(slot.getAttribute('data-ad-slot') + '-notice');
      if (notice) notice.hidden = !hidden;
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { setTimeout(check, 50); });
  else setTimeout(check, 50);
  // Some blockers hide elements late: look again once everything has loaded.
  window.addEventListener('load', function () { setTimeout(check, 300); });
})();
`;
