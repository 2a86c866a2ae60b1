//! A generated government website on 127.0.0.1 with injected faults and decoys, for tests (and
//! later benchmarks). Every request path is recorded, so a test can assert that no path
//! disallowed by robots.txt was requested. Inspect it as of [`AS_OF`].

use crate::Finding;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const AS_OF: &str = "2026-11-30";

/// The running fixture site.
pub struct Fixture {
    /// `http://127.0.0.1:PORT/`
    pub base: String,
    /// Another host name for the same server (`localhost`): links there are outbound links.
    pub other: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Fixture {
    /// Every path (with query) requested so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    fn u(&self, path: &str) -> String {
        format!("{}{}", self.base.trim_end_matches('/'), path)
    }

    /// The findings a perfect inspector reports, sorted like the report.
    pub fn expected(&self) -> Vec<Finding> {
        let u = |p: &str| self.u(p);
        let dead = |page: &str, target: String, status: Option<u16>, error: Option<&str>| {
            Finding::DeadLink {
                page: u(page),
                target,
                status,
                error: error.map(str::to_string),
            }
        };
        let mut v = vec![
            dead("/", u("/loop-a"), None, Some("redirect loop")),
            dead(
                "/",
                "http://127.0.0.1:1/".into(),
                None,
                Some("connection refused"),
            ),
            dead(
                "/policy/1.html",
                format!("{}/slow", self.other.trim_end_matches('/')),
                None,
                Some("timeout"),
            ),
            dead("/notice/1.html", u("/files/missing.pdf"), Some(404), None),
            dead("/policy/1.html", u("/files/missing.pdf"), Some(404), None),
            dead("/news/2.html", u("/gone.html"), Some(404), None),
            Finding::StaleColumn {
                page: u("/notice/"),
                column: "通知公告".into(),
                latest: Some("2026-03-01".into()),
                limit_days: 183,
            },
            Finding::StaleColumn {
                page: u("/hr/"),
                column: "人事信息".into(),
                latest: Some("2025-06-01".into()),
                limit_days: 365,
            },
            Finding::StaleColumn {
                page: u("/plan/"),
                column: "规划计划".into(),
                latest: None,
                limit_days: 365,
            },
            Finding::StaleColumn {
                page: u("/fin/"),
                column: "财政资金".into(),
                latest: Some("2025-01-10".into()),
                limit_days: 365,
            },
            Finding::EmptyColumn {
                page: u("/data/"),
                column: "数据发布".into(),
            },
            Finding::PersonalInfo {
                page: u("/news/2.html"),
                info: "mobile".into(),
            },
            Finding::PersonalInfo {
                page: u("/hr/1.html"),
                info: "bank_card".into(),
            },
            Finding::PersonalInfo {
                page: u("/hr/1.html"),
                info: "id_number".into(),
            },
            Finding::PersonalInfo {
                page: u("/files/notice.pdf"),
                info: "mobile".into(),
            },
            Finding::KnownError {
                page: u("/news/1.html"),
                text: "国务院办公室".into(),
                correction: "国务院办公厅".into(),
            },
            Finding::UnansweredMessage {
                page: u("/msg/1.html"),
                asked_on: "2026-06-01".into(),
            },
            Finding::UnansweredMessage {
                page: u("/msg/"),
                asked_on: "2026-05-12".into(),
            },
            Finding::IncompleteGuide {
                page: u("/guide/2.html"),
                missing: vec!["办理时限".into(), "收费标准".into()],
            },
        ];
        v.sort();
        v
    }
}

/// A resident ID number with a correct check character (valid) or a wrong one (a decoy).
pub fn resident_id(valid: bool) -> String {
    let body = "21110219900101123";
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let good = b"10X98765432"[(sum % 11) as usize] as char;
    let check = if valid {
        good
    } else if good == '0' {
        '1'
    } else {
        '0'
    };
    format!("{body}{check}")
}

/// A bank card number with a correct Luhn check digit.
pub fn bank_card() -> String {
    let body = "622202020011223344";
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let x = u32::from(d - b'0');
            if i % 2 == 0 {
                let y = x * 2;
                if y > 9 { y - 9 } else { y }
            } else {
                x
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

const NAV: &[(&str, &str)] = &[
    ("/news/", "新闻动态"),
    ("/notice/", "通知公告"),
    ("/policy/", "政策文件"),
    ("/hr/", "人事信息"),
    ("/plan/", "规划计划"),
    // Through a redirect to /data/: the column is where it lands.
    ("/data", "数据发布"),
    ("/guide/", "办事服务"),
    ("/msg/", "互动交流"),
    ("/about.html", "机构概况"),
    ("/xxgk/", "政府信息公开"),
    ("/calendar?month=2026-11", "活动日历"),
];

fn layout(title: &str, body: &str, charset: &str) -> String {
    let nav: String = NAV
        .iter()
        .map(|(h, t)| format!("<li><a href=\"{h}\">{t}</a></li>"))
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"{charset}\"><title>{title}_盘锦市示范局</title></head><body>\
         <div class=\"top\"><a href=\"/\">首页</a></div><ul class=\"nav\">{nav}</ul>\
         <div class=\"main\">{body}</div>\
         <div class=\"footer\">主办单位\u{FF1A}盘锦市示范局 联系电话\u{FF1A}0427-2823456 辽ICP备12345678号</div></body></html>"
    )
}

/// A list with each date in its own element before the link, as many CMS templates do.
fn list_date_first(items: &[(&str, &str, &str)]) -> String {
    items
        .iter()
        .map(|(h, t, d)| {
            format!("<li><div class=\"date\">{d}</div><div class=\"t\"><a href=\"{h}\">{t}</a></div></li>")
        })
        .collect()
}

fn list(items: &[(&str, &str, &str)]) -> String {
    items
        .iter()
        .map(|(h, t, d)| format!("<li><a href=\"{h}\">{t}</a>{d}</li>"))
        .collect()
}

fn page(
    base: &str,
    other: &str,
    path: &str,
    query: Option<&str>,
) -> Option<(String, &'static str)> {
    let id = resident_id(true);
    let bad_id = resident_id(false);
    let html = match path {
        "/" => layout(
            "首页",
            &format!(
                "<div class=\"news\"><ul>{}</ul></div>\
                 <a href=\"/private/secret.html\">内部资料</a> <a href=\"/loop-a\">旧版网站</a>\
                 <a href=\"http://127.0.0.1:1/\">友情链接</a> <a href=\"/busy.html\">办事大厅</a>\
                 <a href=\"/huge.html\">统计年鉴</a> <img src=\"/logo.png\">\
                 <div class=\"box\"><h3>财政资金</h3><a href=\"/fin/\">更多&gt;&gt;</a></div>",
                list_date_first(&[
                    (
                        "/news/1.html",
                        "市政府召开常务会议",
                        "<span>2026-11-25</span>"
                    ),
                    (
                        "/policy/1.html",
                        "关于印发实施方案的通知",
                        "<span>2026-10-01</span>"
                    ),
                ])
            ),
            "utf-8",
        ),
        "/news/" | "/news/index.html" => layout(
            "新闻动态",
            &format!(
                "<h1>新闻动态</h1><ul>{}</ul><div class=\"pager\"><a href=\"/news/index_1.html\">下一页</a></div>",
                list(&[
                    (
                        "/news/1.html",
                        "市政府召开常务会议",
                        "<span>2026-11</span><span>25</span>"
                    ),
                    ("/news/2.html", "全市开展安全生产检查", "[2026-11-20]"),
                    (
                        "/news/3.html",
                        "市领导调研重点项目",
                        "<span>18</span><span>2026-11</span>"
                    ),
                ])
            ),
            "utf-8",
        ),
        "/news/index_1.html" => layout(
            "新闻动态",
            &format!(
                "<h1>新闻动态</h1><ul>{}</ul>",
                list(&[("/news/4.html", "召开工作推进会", "2026-10-02")])
            ),
            "utf-8",
        ),
        "/news/1.html" => layout(
            "市政府召开常务会议",
            "<h1>市政府召开常务会议</h1><p>会议传达了国务院办公室有关文件精神。发布时间\u{FF1A}2026-11-25</p>",
            "utf-8",
        ),
        "/news/2.html" => layout(
            "全市开展安全生产检查",
            "<p>联系人\u{FF1A}张先生\u{FF0C}手机13912345678\u{3002}</p><a href=\"/gone.html\">相关链接</a>",
            "utf-8",
        ),
        "/news/3.html" => layout(
            "市领导调研重点项目",
            &format!(
                "<div class=\"crumb\">当前位置\u{FF1A}首页 &gt; 新闻动态 &gt; 正文</div><p>{}</p><h4>相关阅读</h4><ul>{}</ul>",
                "市领导到重点项目现场调研\u{3002}".repeat(30),
                list(&[
                    ("/news/4.html", "召开工作推进会", "2024-01-01"),
                    ("/policy/2.html", "关于加强管理的意见", "2024-01-02"),
                    ("/plan/1.html", "十四五发展规划纲要", "2024-01-03"),
                ])
            ),
            "utf-8",
        ),
        "/news/4.html" => layout("新闻", "<p>正文内容。</p>", "utf-8"),
        "/fin/" => layout(
            "盘锦市示范局-财政资金",
            &format!(
                "<div class=\"crumb\">当前位置\u{FF1A}首页 &gt; 财政资金</div><ul>{}</ul>",
                list(&[
                    ("/fin/1.html", "2024年度部门决算公开", "2025-01-10"),
                    ("/fin/2.html", "2024年度部门预算公开", "2024-02-10"),
                ])
            ),
            "utf-8",
        ),
        "/fin/1.html" | "/fin/2.html" => layout("财政", "<p>见附件\u{3002}</p>", "utf-8"),
        "/policy/" => layout(
            "政策文件",
            &format!(
                "<h1>政策文件</h1><table>{}</table>",
                [
                    ("/policy/1.html", "关于印发实施方案的通知", "2026/10/01"),
                    ("/policy/2.html", "关于加强管理的意见", "2026/09/15")
                ]
                .iter()
                .map(|(h, t, d)| format!("<tr><td><a href=\"{h}\">{t}</a></td><td>{d}</td></tr>"))
                .collect::<String>()
            ),
            "utf-8",
        ),
        "/policy/1.html" => layout(
            "关于印发实施方案的通知",
            &format!(
                "<p>盘政发\u{3014}2026\u{3015}12号 索引号\u{FF1A}11211100MB1534218F/2026-00012 \
                 统一社会信用代码\u{FF1A}12211100MB1534218F 咨询电话\u{FF1A}0427-2823456 \
                 示例号码\u{FF1A}{bad_id}</p><a href=\"/files/missing.pdf\">附件</a>\
                 <a href=\"{other}slow\">外部链接</a>"
            ),
            "utf-8",
        ),
        "/policy/2.html" => layout("意见", "<p>正文。</p>", "utf-8"),
        "/notice/1.html" => layout(
            "通知",
            "<p>见附件\u{3002}</p><a href=\"/files/notice.pdf\">附件1</a> <a href=\"/files/missing.pdf\">附件2</a>",
            "utf-8",
        ),
        "/hr/" => layout(
            "人事信息",
            &format!(
                "<h1>人事信息</h1><ul>{}</ul><a href=\"javascript:void(0)\" onclick=\"go(2)\">下一页</a>",
                list(&[("/hr/1.html", "公开招聘工作人员公告", "2025-06-01")])
            ),
            "utf-8",
        ),
        "/hr/1.html" => layout(
            "公开招聘工作人员公告",
            &format!(
                "<p>报名人身份证号\u{FF1A}{id} 工资卡\u{FF1A}{}</p>",
                bank_card()
            ),
            "utf-8",
        ),
        "/plan/" => layout(
            "规划计划",
            &format!(
                "<h1>规划计划</h1><ul>{}</ul>",
                list(&[("/plan/1.html", "十四五发展规划纲要", "")])
            ),
            "utf-8",
        ),
        "/plan/1.html" => layout("规划", "<p>规划全文。</p>", "utf-8"),
        "/data/" => layout("数据发布", "<h1>数据发布</h1><p>暂无信息</p>", "utf-8"),
        "/about.html" => layout(
            "机构概况",
            "<h1>机构概况</h1><p>盘锦市示范局是市政府工作部门\u{FF0C}负责全市示范工作的统筹协调\u{FF0C}\
             承担有关政策的研究制定和组织实施\u{FF0C}内设办公室\u{3001}政策法规科\u{3001}业务科\u{3002}</p>",
            "utf-8",
        ),
        "/guide/" => layout(
            "办事服务",
            &format!(
                "<h1>办事服务</h1><ul>{}</ul>",
                list_date_first(&[
                    ("/guide/1.html", "户籍迁移办事指南", "2026-11-01"),
                    ("/guide/2.html", "营业执照办事指南", "2026-10-01"),
                ])
            ),
            "utf-8",
        ),
        "/guide/1.html" => layout(
            "户籍迁移办事指南",
            "<table><tr><td>事项名称</td><td>户籍迁移</td></tr><tr><td>设定依据</td><td>户口登记条例</td></tr>\
             <tr><td>申请条件</td><td>本市户籍</td></tr><tr><td>办理材料</td><td>户口簿</td></tr>\
             <tr><td>办理流程</td><td>受理 审核 办结</td></tr><tr><td>办理时限</td><td>5个工作日</td></tr>\
             <tr><td>收费标准</td><td>不收费</td></tr><tr><td>咨询电话</td><td>0427-2823456</td></tr></table>",
            "utf-8",
        ),
        "/guide/2.html" => layout(
            "营业执照办事指南",
            "<table><tr><td>事项名称</td><td>营业执照</td></tr><tr><td>设定依据</td><td>公司法</td></tr>\
             <tr><td>申请条件</td><td>依法设立</td></tr><tr><td>办理材料</td><td>申请书</td></tr>\
             <tr><td>办理流程</td><td>受理 审核 办结</td></tr><tr><td>咨询电话</td><td>0427-2823456</td></tr></table>",
            "utf-8",
        ),
        "/msg/" => layout(
            "互动交流",
            &format!(
                "<h1>互动交流</h1><ul>{}</ul><table><tr><td>来信\u{FF1A}路灯不亮</td><td>2026-05-12</td><td>未回复</td></tr>\
                 <tr><td>来信\u{FF1A}公交线路</td><td>2026-10-12</td><td>未回复</td></tr>\
                 <tr><td>来信\u{FF1A}学校招生</td><td>2026-04-02</td><td>已回复</td></tr></table>",
                list(&[
                    ("/msg/3.html", "咨询社保办理", "2026-10-01"),
                    ("/msg/2.html", "道路维修问题", "2026-06-01"),
                    ("/msg/1.html", "小区噪音扰民", "2026-06-01"),
                ])
            ),
            "utf-8",
        ),
        "/msg/1.html" => layout(
            "小区噪音扰民",
            "<p>留言时间\u{FF1A}2026-06-01</p><p>留言内容\u{FF1A}夜间施工噪音大\u{3002}</p><p>办理状态\u{FF1A}未回复</p>",
            "utf-8",
        ),
        "/msg/2.html" => layout(
            "道路维修问题",
            "<p>留言时间\u{FF1A}2026-06-01</p><p>留言内容\u{FF1A}道路破损\u{3002}</p><p>回复内容\u{FF1A}已安排维修\u{3002}</p><p>回复时间\u{FF1A}2026-06-10</p>",
            "utf-8",
        ),
        "/msg/3.html" => layout(
            "咨询社保办理",
            "<p>留言时间\u{FF1A}2026-10-01</p><p>留言内容\u{FF1A}如何办理\u{3002}</p>",
            "utf-8",
        ),
        "/busy.html" => layout("办事大厅", "<p>欢迎</p>", "utf-8"),
        // A section's landing page: links to its sub-columns, no list of its own (a decoy for
        // empty_column and stale_column).
        "/xxgk/" => layout(
            "政府信息公开",
            "<h1>政府信息公开</h1><div class=\"tree\"><a href=\"/xxgk/zn.html\">公开指南</a>\
             <a href=\"/policy/\">政策文件</a></div>",
            "utf-8",
        ),
        "/xxgk/zn.html" => layout(
            "政府信息公开指南",
            "<p>为了更好地提供政府信息公开服务\u{FF0C}现编制本指南\u{3002}公开方式包括主动公开和依申请公开\u{3002}</p>",
            "utf-8",
        ),
        "/calendar" => {
            let month = query
                .and_then(|q| q.strip_prefix("month="))
                .unwrap_or("2026-11");
            let (y, m) = month.split_once('-').unwrap_or(("2026", "11"));
            let (y, m): (i32, u32) = (y.parse().unwrap_or(2026), m.parse().unwrap_or(11));
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            layout(
                "活动日历",
                &format!("<p>{y}年{m}月</p><a href=\"/calendar?month={ny}-{nm:02}\">下个月</a>"),
                "utf-8",
            )
        }
        "/private/secret.html" => layout("内部", &format!("<p>{id}</p>"), "utf-8"),
        _ => return None,
    };
    let _ = base;
    Some((html, "text/html; charset=utf-8"))
}

#[derive(Clone)]
struct Site {
    base: String,
    other: String,
    requests: Arc<Mutex<Vec<String>>>,
    busy_once: Arc<Mutex<bool>>,
}

async fn handle(State(site): State<Site>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_string();
    let full = match &query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    if let Ok(mut r) = site.requests.lock() {
        r.push(if host.starts_with("localhost") {
            format!("//localhost{full}")
        } else {
            full.clone()
        });
    }
    let html =
        |s: String| ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], s).into_response();
    match path.as_str() {
        "/robots.txt" => (
            [(header::CONTENT_TYPE, "text/plain")],
            "User-agent: *\nDisallow: /private/\n\nUser-agent: OtherBot\nDisallow: /\n",
        )
            .into_response(),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            html("late".into())
        }
        "/loop-a" => (StatusCode::FOUND, [(header::LOCATION, "/loop-b")]).into_response(),
        "/data" => (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, "/data/")],
        )
            .into_response(),
        "/loop-b" => (StatusCode::FOUND, [(header::LOCATION, "/loop-a")]).into_response(),
        "/busy.html" => {
            let first = site
                .busy_once
                .lock()
                .map(|mut b| std::mem::replace(&mut *b, false))
                .unwrap_or(false);
            if first {
                let mut h = HeaderMap::new();
                h.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                return (StatusCode::SERVICE_UNAVAILABLE, h, "busy").into_response();
            }
            html(
                page(&site.base, &site.other, &path, None)
                    .map(|p| p.0)
                    .unwrap_or_default(),
            )
        }
        "/notice/" => {
            // GB2312 declared in a meta tag only; dates as 2026年3月1日.
            let body = layout(
                "通知公告",
                &format!(
                    "<h1>通知公告</h1><ul>{}</ul>",
                    list(&[
                        ("/notice/1.html", "关于开展专项检查的通知", "2026年3月1日"),
                        ("/notice/2.html", "关于春节放假的通知", "2026年1月20日"),
                    ])
                ),
                "gb2312",
            );
            let (bytes, _, _) = encoding_rs::GBK.encode(&body);
            ([(header::CONTENT_TYPE, "text/html")], bytes.into_owned()).into_response()
        }
        "/notice/2.html" => html(layout("通知", "<p>放假安排。</p>", "utf-8")),
        "/files/notice.pdf" => (
            [(header::CONTENT_TYPE, "application/pdf")],
            gongkai_extract::minimal_pdf::text_page("Contact mobile 13912345678 for details"),
        )
            .into_response(),
        "/logo.png" => (
            [(header::CONTENT_TYPE, "image/png")],
            b"\x89PNG\r\n\x1a\n\0\0".to_vec(),
        )
            .into_response(),
        "/huge.html" => html("<p>x</p>".repeat(300_000)),
        _ => match page(&site.base, &site.other, &path, query.as_deref()) {
            Some((body, _)) => html(body),
            None => (StatusCode::NOT_FOUND, html("<p>404</p>".into())).into_response(),
        },
    }
}

/// Starts the fixture site on a random port of 127.0.0.1.
pub async fn serve() -> std::io::Result<Fixture> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let site = Site {
        base: format!("http://127.0.0.1:{port}/"),
        other: format!("http://localhost:{port}/"),
        requests: Arc::new(Mutex::new(Vec::new())),
        busy_once: Arc::new(Mutex::new(true)),
    };
    let fixture = Fixture {
        base: site.base.clone(),
        other: site.other.clone(),
        requests: site.requests.clone(),
    };
    let app = Router::new().fallback(handle).with_state(site);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(fixture)
}
