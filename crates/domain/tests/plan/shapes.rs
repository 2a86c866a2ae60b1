//! The document shapes the plan parser handles besides the seed's prose, one small fixture each.

use std::io::Write;

use gongkai_domain::plan::{self, Duty, InputFormat, Plan, PlanError};

fn parse(s: &str) -> Plan {
    plan::parse_text(s).unwrap_or_else(|e| panic!("{e}\n{s}"))
}

fn v(x: &[&str]) -> Vec<String> {
    x.iter().map(|s| s.to_string()).collect()
}

fn roles(d: &Duty) -> (Vec<String>, Vec<String>, Vec<String>) {
    (d.lead.clone(), d.co.clone(), d.responsible.clone())
}

fn dates(d: &Duty) -> Vec<(String, Option<String>)> {
    d.deadlines
        .iter()
        .map(|x| (x.text.clone(), x.date.clone()))
        .collect()
}

fn norms(d: &Duty) -> Vec<String> {
    d.cadences.iter().map(|c| c.norm.clone()).collect()
}

const LABELLED: &str = "\
某市2022年政务公开工作要点
一、加强政策解读
（一）推进重大政策解读。围绕稳增长、促改革，做好政策解读工作。（牵头单位：市发展改革委（市粮食和物资储备局）；责任单位：各县区政府、市直各部门；完成时限：2022年6月底前）
（二）做好政策问答。建立政策问答库，及时更新。
牵头单位：市政府办公室
配合单位：市司法局
完成时限：长期坚持
二、提升公开质量
（三）规范政府信息公开。按季度更新公开目录。（牵头单位：市政府办公室；
责任单位：各县（市、区）政府；完成时限：2022年12月底前）
（四）Ascii punctuation works too. 每月更新 （牵头单位： 市数据局； 责任单位： 各县区政府； 完成时限： 2022年9月30日前）
";

#[test]
fn plan_labelled_clauses() {
    let p = parse(LABELLED);
    assert_eq!(p.title.as_deref(), Some("某市2022年政务公开工作要点"));
    assert_eq!(p.year, Some(2022));
    let t: Vec<_> = p
        .tasks
        .iter()
        .map(|t| (t.number, t.title.as_str()))
        .collect();
    assert_eq!(
        t,
        vec![
            (1, "推进重大政策解读"),
            (2, "做好政策问答"),
            (3, "规范政府信息公开"),
            (4, "Ascii punctuation works too. 每月更新"),
        ]
    );
    let d = &p.tasks[0].duties[0];
    assert_eq!(
        roles(d),
        (
            v(&["市发展改革委（市粮食和物资储备局）"]),
            v(&[]),
            v(&["各县区政府", "市直各部门"])
        )
    );
    assert_eq!(
        dates(d),
        vec![("2022年6月底前".into(), Some("2022-06-30".into()))]
    );
    assert_eq!(p.tasks[0].section_path, v(&["一、加强政策解读"]));

    let d = &p.tasks[1].duties;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].text, "建立政策问答库，及时更新。");
    assert_eq!(
        roles(&d[0]),
        (v(&["市政府办公室"]), v(&["市司法局"]), v(&[]))
    );
    assert_eq!(dates(&d[0]), vec![("长期坚持".into(), None)]);
    assert_eq!(norms(&d[0]), v(&["timely"]));

    let d = &p.tasks[2].duties[0];
    assert_eq!(
        roles(d),
        (v(&["市政府办公室"]), v(&[]), v(&["各县（市、区）政府"]))
    );
    assert_eq!(dates(d)[0].1.as_deref(), Some("2022-12-31"));
    assert_eq!(norms(d), v(&["quarterly", "once_by_2022-12-31"]));

    let d = &p.tasks[3].duties;
    assert_eq!(d.len(), 1);
    assert_eq!(roles(&d[0]), (v(&["市数据局"]), v(&[]), v(&["各县区政府"])));
    assert_eq!(dates(&d[0])[0].1.as_deref(), Some("2022-09-30"));
}

const UNBRACKETED: &str = "\
某县2021年政务公开工作安排
一、重点任务
1.公开财政预决算信息。按月公开财政收支情况，县财政局负责落实。
2.推进重大项目公开。及时公开重大项目审批信息，县发改局牵头，县自然资源局、县住建局配合。
3.做好惠农补贴公开。各乡镇按季度公开补贴发放情况（县农业农村局、县财政局分别负责落实）。
4.加强政策解读（县政府办公室牵头，各乡镇、县直各部门负责）
5.办好政府网站。网站信息要及时更新，确保安全运行。
二、保障措施
各乡镇、县直各部门要结合实际，抓好落实。
";

#[test]
fn plan_unbracketed_clauses() {
    let p = parse(UNBRACKETED);
    assert_eq!(p.tasks.len(), 5);
    let d = &p.tasks[0].duties[0];
    assert_eq!(d.text, "按月公开财政收支情况。");
    assert_eq!(d.clause.as_deref(), Some("县财政局负责落实"));
    assert_eq!(roles(d), (v(&[]), v(&[]), v(&["县财政局"])));
    assert_eq!(norms(d), v(&["monthly"]));
    let d = &p.tasks[1].duties[0];
    assert_eq!(
        roles(d),
        (v(&["县发改局"]), v(&["县自然资源局", "县住建局"]), v(&[]))
    );
    let d = &p.tasks[2].duties[0];
    assert_eq!(roles(d), (v(&[]), v(&[]), v(&["县农业农村局", "县财政局"])));
    let t = &p.tasks[3];
    assert_eq!(t.title, "加强政策解读");
    assert_eq!(
        roles(&t.duties[0]),
        (v(&["县政府办公室"]), v(&[]), v(&["各乡镇", "县直各部门"]))
    );
    // no clause: a duty without units
    let d = &p.tasks[4].duties[0];
    assert!(d.clause.is_none() && d.responsible.is_empty());
}

const PIPES: &str = "\
某市2023年政务公开重点任务分工
序号 | 工作任务 | 具体要求 | 牵头单位 | 配合单位 | 完成时限
一、深化重点领域公开
1 | 公开财政信息 | 按月公开财政收支，每季度发布解读。 | 市财政局 | 市税务局 | 2023年12月底前
2 | 公开就业信息 | 及时发布就业政策。 | 市人社局 | 各县区政府、市教育局等部门 | 长期坚持
二、加强解读回应
3 | 做好舆情回应 | 重大舆情最迟在5小时内发布权威信息。 | 市委网信办 | | 持续推进
";

fn check_table(p: &Plan) {
    let t: Vec<_> = p
        .tasks
        .iter()
        .map(|t| (t.number, t.title.as_str()))
        .collect();
    assert_eq!(
        t,
        vec![
            (1, "公开财政信息"),
            (2, "公开就业信息"),
            (3, "做好舆情回应")
        ]
    );
    assert_eq!(p.tasks[0].section_path, v(&["一、深化重点领域公开"]));
    assert_eq!(p.tasks[2].section_path, v(&["二、加强解读回应"]));
    let d = &p.tasks[0].duties[0];
    assert_eq!(d.text, "按月公开财政收支，每季度发布解读。");
    assert_eq!(roles(d), (v(&["市财政局"]), v(&["市税务局"]), v(&[])));
    assert_eq!(
        dates(d),
        vec![("2023年12月底前".into(), Some("2023-12-31".into()))]
    );
    assert_eq!(norms(d), v(&["monthly", "quarterly", "once_by_2023-12-31"]));
    let d = &p.tasks[1].duties[0];
    assert_eq!(
        roles(d),
        (v(&["市人社局"]), v(&["各县区政府", "市教育局"]), v(&[]))
    );
    assert_eq!(dates(d), vec![("长期坚持".into(), None)]);
    let d = &p.tasks[2].duties[0];
    assert_eq!(roles(d), (v(&["市委网信办"]), v(&[]), v(&[])));
    assert!(norms(d).contains(&"within_5_hours".to_string()));
}

#[test]
fn plan_pipe_table() {
    check_table(&parse(PIPES));
}

#[test]
fn plan_tab_table() {
    let tabs = PIPES.replace(" | ", "\t").replace("\t| ", "\t\t");
    check_table(&parse(&tabs));
}

#[test]
fn plan_one_cell_per_line_table() {
    let s = "\
某市2023年政务公开重点任务分工
序号
工作任务
具体要求
牵头单位
配合单位
完成时限
一、深化重点领域公开
1
公开财政信息
按月公开财政收支，
每季度发布解读。
市财政局
市税务局
2023年12月底前
2
公开就业信息
及时发布就业政策。
市人社局
各县区政府、市教育局等部门
长期坚持
二、加强解读回应
3
做好舆情回应
重大舆情最迟在5小时内发布权威信息。
市委网信办
持续推进
";
    check_table(&parse(s));
}

#[test]
fn plan_page_chrome_html() {
    let html = r#"<!DOCTYPE html><html><head><title>某市2022年政务公开工作要点_某市人民政府</title>
<style>p { color: red }</style><script>var t = "一、不是任务";</script></head><body>
<div class="crumb">当前位置:<a href="/">首页</a> &gt; <a>政务公开</a> &gt; 政策文件</div>
<table class="meta"><tr><td>索引号:</td><td>11210000/2022-00012</td><td>发布机构:</td><td>某市人民政府办公室</td></tr>
<tr><td>发布日期:</td><td>2022-03-15</td><td>主题分类:</td><td>政务公开</td></tr></table>
<h1>某市2022年政务公开工作要点</h1>
<p>发布时间:2022-03-15&nbsp;&nbsp;浏览次数:1024&nbsp;【字体:大 中 小】</p>
<p>为做好2022年政务公开工作,制定本要点。</p>
<p>一、推进决策公开</p>
<p>(一)公开重大决策。做好决策预公开&amp;意见征集,12月底前完成目录编制。(市司法局牵头,市政府各部门配合)</p>
<p>(二)公开执行结果。定期公开重要政策执行情况。<br>(市政府办公室负责)</p>
<div class="share">分享到:微信 微博</div><div>扫一扫在手机打开当前页</div>
<div>上一篇:某市2021年政务公开工作要点</div>
</body></html>"#;
    let p = plan::parse_bytes(html.as_bytes(), InputFormat::Html).unwrap();
    assert_eq!(p.title.as_deref(), Some("某市2022年政务公开工作要点"));
    assert_eq!(p.issued_on.as_deref(), Some("2022-03-15"));
    assert_eq!(p.tasks.len(), 2, "{p:#?}");
    let d = &p.tasks[0].duties[0];
    assert_eq!(d.text, "做好决策预公开&意见征集，12月底前完成目录编制。");
    assert_eq!(roles(d), (v(&["市司法局"]), v(&["市政府各部门"]), v(&[])));
    assert_eq!(
        dates(d),
        vec![("12月底前".into(), Some("2022-12-31".into()))]
    );
    let d = &p.tasks[1].duties[0];
    assert_eq!(roles(d), (v(&[]), v(&[]), v(&["市政府办公室"])));
}

#[test]
fn plan_gb18030_bytes() {
    let (bytes, _, _) = encoding_rs::GB18030.encode(UNBRACKETED);
    assert!(std::str::from_utf8(&bytes).is_err());
    let p = plan::parse_bytes(&bytes, InputFormat::Text).unwrap();
    assert_eq!(p.tasks.len(), 5);
    assert_eq!(p.title.as_deref(), Some("某县2021年政务公开工作安排"));
    // and UTF-8 with a BOM
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(UNBRACKETED.as_bytes());
    assert_eq!(plan::parse_bytes(&bom, InputFormat::Text).unwrap(), p);
}

fn w_p(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

fn w_p_num(text: &str, num: u32, lvl: u32) -> String {
    format!(
        "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{lvl}\"/><w:numId w:val=\"{num}\"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"
    )
}

fn w_tc(paras: &[&str]) -> String {
    let ps: String = paras.iter().map(|p| w_p(p)).collect();
    format!("<w:tc><w:tcPr/>{ps}</w:tc>")
}

fn w_tr(cells: &[&[&str]]) -> String {
    let cs: String = cells.iter().map(|c| w_tc(c)).collect();
    format!("<w:tr>{cs}</w:tr>")
}

fn docx(body: &str, numbering: Option<&str>) -> Vec<u8> {
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("[Content_Types].xml", opts).unwrap();
        z.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
        z.start_file("word/document.xml", opts).unwrap();
        z.write_all(doc.as_bytes()).unwrap();
        if let Some(n) = numbering {
            z.start_file("word/numbering.xml", opts).unwrap();
            z.write_all(n.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn plan_docx_with_table() {
    let body = [
        w_p("某区2024年政务公开重点任务分工表"),
        format!(
            "<w:tbl><w:tblPr/>{}{}{}{}</w:tbl>",
            w_tr(&[
                &["序号"],
                &["工作任务"],
                &["具体要求"],
                &["责任单位"],
                &["完成时限"]
            ]),
            w_tr(&[&["一、重点领域信息公开"], &[""], &[""], &[""], &[""]]),
            w_tr(&[
                &["1"],
                &["公开预算信息"],
                &["按月公开预算执行情况。", "每年公开部门决算。"],
                &["区财政局牵头，各街道配合"],
                &["2024年6月底前"],
            ]),
            w_tr(&[
                &["2"],
                &["公开招生信息"],
                &["及时公开招生政策&amp;结果。"],
                &["区教育局"],
                &["8月底前"],
            ]),
        ),
        w_p("某区人民政府办公室"),
        w_p("2024年3月1日"),
    ]
    .concat();
    let p = plan::parse_bytes(&docx(&body, None), InputFormat::Docx).unwrap();
    assert_eq!(p.title.as_deref(), Some("某区2024年政务公开重点任务分工表"));
    assert_eq!(p.issuer.as_deref(), Some("某区人民政府办公室"));
    assert_eq!(p.issued_on.as_deref(), Some("2024-03-01"));
    assert_eq!(p.tasks.len(), 2, "{p:#?}");
    let t = &p.tasks[0];
    assert_eq!((t.number, t.title.as_str()), (1, "公开预算信息"));
    assert_eq!(t.section_path, v(&["一、重点领域信息公开"]));
    let d = &t.duties[0];
    assert_eq!(d.text, "按月公开预算执行情况。 每年公开部门决算。");
    assert_eq!(roles(d), (v(&["区财政局"]), v(&["各街道"]), v(&[])));
    assert_eq!(dates(d)[0].1.as_deref(), Some("2024-06-30"));
    assert_eq!(norms(d), v(&["monthly", "yearly", "once_by_2024-06-30"]));
    let d = &p.tasks[1].duties[0];
    assert_eq!(d.text, "及时公开招生政策&结果。");
    assert_eq!(roles(d), (v(&[]), v(&[]), v(&["区教育局"])));
    assert_eq!(dates(d)[0].1.as_deref(), Some("2024-08-31"));
}

#[test]
fn plan_docx_with_automatic_numbering() {
    let numbering = r#"<?xml version="1.0"?><w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
</w:abstractNum><w:num w:numId="3"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#;
    let body = [
        w_p("某局2024年政务公开工作要点"),
        w_p_num("主动公开", 3, 0),
        w_p_num(
            "公开权责清单。动态调整权责清单。（法规科牵头，各科室配合）",
            3,
            1,
        ),
        w_p_num("公开统计数据。按季度发布统计数据。（统计科负责）", 3, 1),
        w_p_num("依申请公开", 3, 0),
        w_p_num("规范申请办理。20个工作日内答复。（办公室负责）", 3, 1),
    ]
    .concat();
    let p = plan::parse_bytes(&docx(&body, Some(numbering)), InputFormat::Docx).unwrap();
    let t: Vec<_> = p
        .tasks
        .iter()
        .map(|t| (t.number, t.title.as_str(), t.section_path.clone()))
        .collect();
    assert_eq!(
        t,
        vec![
            (1, "公开权责清单", v(&["一、主动公开"])),
            (2, "公开统计数据", v(&["一、主动公开"])),
            (1, "规范申请办理", v(&["二、依申请公开"])),
        ]
    );
    assert_eq!(
        roles(&p.tasks[0].duties[0]),
        (v(&["法规科"]), v(&["各科室"]), v(&[]))
    );
    assert_eq!(norms(&p.tasks[2].duties[0]), v(&["within_20_working_days"]));
}

#[test]
fn plan_bad_input_has_clear_errors() {
    assert_eq!(
        plan::parse_bytes(b"", InputFormat::Text),
        Err(PlanError::Empty)
    );
    assert_eq!(
        plan::parse_bytes(b"  \n\t \r\n", InputFormat::Text),
        Err(PlanError::Empty)
    );
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
    assert_eq!(
        plan::parse_bytes(png, InputFormat::Text),
        Err(PlanError::Binary)
    );
    let big = vec![b'a'; plan::MAX_INPUT_BYTES + 1];
    assert!(matches!(
        plan::parse_bytes(&big, InputFormat::Text),
        Err(PlanError::TooLarge { .. })
    ));
    assert_eq!(
        plan::parse_bytes(
            "这是一篇普通的新闻稿，没有任何任务。".as_bytes(),
            InputFormat::Text
        ),
        Err(PlanError::NoTasks)
    );
    assert!(matches!(
        plan::parse_bytes(b"PK\x03\x04broken", InputFormat::Docx),
        Err(PlanError::Docx(_))
    ));
    // the messages are Chinese and say what to do
    assert!(PlanError::NoTasks.to_string().contains("工作任务"));
    assert!(
        PlanError::TooLarge { size: 52428800 }
            .to_string()
            .contains("20 MB")
    );
}

#[test]
fn plan_enumeration_under_one_clause_is_one_task() {
    let p = parse(
        "\
某市2020年政务公开工作要点
一、推进决策公开
（一）完善决策公开制度。
1.制定重大行政决策事项目录，并向社会公开。
2.对涉及群众切身利益的决策事项，要通过听证座谈等方式广泛听取意见。
（市司法局牵头，市政府各部门负责）
（二）推进执行公开。
3.围绕重大决策部署，及时公开落实情况。（市政府督查室牵头）
4.各部门要在年底前公开本部门年度工作总结。（市政府各部门负责）
",
    );
    let t: Vec<_> = p
        .tasks
        .iter()
        .map(|t| (t.number, t.title.as_str()))
        .collect();
    assert_eq!(
        t,
        vec![
            (1, "完善决策公开制度"),
            (3, "围绕重大决策部署，及时公开落实情况"),
            (4, "各部门要在年底前公开本部门年度工作总结"),
        ]
    );
    let d = &p.tasks[0].duties;
    assert_eq!(d.len(), 1);
    assert!(d[0].text.starts_with("1.制定重大行政决策事项目录"));
    assert_eq!(
        roles(&d[0]),
        (v(&["市司法局"]), v(&[]), v(&["市政府各部门"]))
    );
    // a one-sentence task is its own duty
    let d = &p.tasks[2].duties[0];
    assert_eq!(d.text, "各部门要在年底前公开本部门年度工作总结。");
    assert_eq!(dates(d)[0].1.as_deref(), Some("2020-12-31"));
}

#[test]
fn plan_html_task_table() {
    let html = r#"<html><body>
<div>您现在的位置:首页 &gt;&gt; 政府信息公开</div>
<p><strong>某区2023年政务公开重点工作任务清单</strong></p>
<table border="1">
<tr><td><p>序号</p></td><td><p>重点任务</p></td><td><p>具体内容</p></td><td><p>责任单位</p></td><td><p>完成时间</p></td></tr>
<tr><td colspan="5"><p>一、助力经济高质量发展</p></td></tr>
<tr><td>1</td><td>优化营商环境信息公开</td><td><p>集中公开惠企政策。</p><p>每季度更新政策清单。</p></td><td>区发改局(牵头)、区市场监管局</td><td>2023年12月</td></tr>
<tr><td>2</td><td>财政信息公开</td><td>按月公开财政收支。</td><td>区财政局</td><td>长期</td></tr>
</table></body></html>"#;
    let p = plan::parse_bytes(html.as_bytes(), InputFormat::Html).unwrap();
    assert_eq!(p.tasks.len(), 2);
    let t = &p.tasks[0];
    assert_eq!(t.title, "优化营商环境信息公开");
    assert_eq!(t.section_path, v(&["一、助力经济高质量发展"]));
    assert_eq!(
        roles(&t.duties[0]),
        (v(&["区发改局"]), v(&["区市场监管局"]), v(&[]))
    );
    assert_eq!(
        dates(&t.duties[0]),
        vec![("2023年12月".into(), Some("2023-12-31".into()))]
    );
}

#[test]
fn plan_hard_wrapped_text_and_pdf_page_numbers() {
    let p = parse(
        "\
某县2019年政务公开工作要点
一、重点任务
1.公开财政信息。县财政局网站按月公开财政收支情况，解读财政
收支增减变化情况及原因。
- 2 -
2.做好政策解读。文件公开后3个工作日内在政府网站
发布政策解读信息，主要负责人要带头解读。
某县人民政府办公室 2019年3月1日印发
",
    );
    assert_eq!(p.tasks.len(), 2);
    assert_eq!(p.tasks[0].duties.len(), 1);
    assert_eq!(
        p.tasks[0].duties[0].text,
        "县财政局网站按月公开财政收支情况，解读财政收支增减变化情况及原因。"
    );
    assert_eq!(p.tasks[1].duties.len(), 1);
    assert_eq!(norms(&p.tasks[1].duties[0]), v(&["within_3_working_days"]));
}

#[test]
fn plan_section_heading_assigns_its_tasks() {
    // full-width, as published: a part heading's clause and a `（以下任务由…牵头）` line
    let s = "某县2021年政务公开工作要点\n\
一、推进决策公开\u{FF08}县政府办公室牵头\u{FF0C}县直各部门配合\u{FF09}\n\
1.完善决策公开制度。制定重大行政决策事项目录。\n\
2.扩大公众参与。\n\
二、深化重点领域信息公开\n\
\u{FF08}以下任务由县财政局牵头\u{FF09}\n\
3.推进预决算公开。按月公开财政收支情况。\n\
4.推进政府债务信息公开。\u{FF08}县发改局负责\u{FF09}\n";
    let p = parse(s);
    let r: Vec<_> = p
        .tasks
        .iter()
        .map(|t| (t.number, roles(&t.duties[0])))
        .collect();
    assert_eq!(
        r,
        vec![
            (1, (v(&["县政府办公室"]), v(&["县直各部门"]), v(&[]))),
            (2, (v(&["县政府办公室"]), v(&["县直各部门"]), v(&[]))),
            (3, (v(&["县财政局"]), v(&[]), v(&[]))),
            // a task's own clause wins
            (4, (v(&[]), v(&[]), v(&["县发改局"]))),
        ]
    );
}

#[test]
fn plan_table_section_row_assigns_its_rows() {
    let s = "某市2022年政务公开重点任务清单\n\
序号 | 工作任务 | 具体要求 | 完成时限 | 责任单位\n\
一、政策解读\u{FF08}市政府办公室牵头\u{FF09} | | | |\n\
1 | 做好政策解读 | 及时发布解读材料。 | 长期坚持 |\n\
2 | 做好政策问答 | 建立问答库。 | 2022年6月底前 | 市司法局\n";
    let p = parse(s);
    let r: Vec<_> = p
        .tasks
        .iter()
        .map(|t| (t.number, roles(&t.duties[0])))
        .collect();
    assert_eq!(
        r,
        vec![
            (1, (v(&["市政府办公室"]), v(&[]), v(&[]))),
            (2, (v(&[]), v(&[]), v(&["市司法局"]))),
        ]
    );
}

#[test]
fn plan_closing_section_is_not_a_task_but_sets_feedback_dates() {
    let s = "某市2019年政务公开工作要点\n\
一、推进决策公开\n\
1.完善决策公开制度。\u{FF08}市政府办公室牵头\u{FF09}\n\
2.扩大公众参与。\u{FF08}市司法局负责\u{FF09}\n\
二、保障措施\n\
\u{FF08}一\u{FF09}加强组织领导。各单位要高度重视\u{FF0C}明确分管领导。\n\
\u{FF08}二\u{FF09}强化督促检查。请各单位分别于6月30日\u{3001}12月10日前报送落实情况。\n";
    let p = parse(s);
    let t: Vec<_> = p.tasks.iter().map(|t| t.number).collect();
    assert_eq!(t, vec![1, 2]);
    assert_eq!(p.feedback_dates, v(&["2019-06-30", "2019-12-10"]));
}

#[test]
fn plan_multi_year() {
    // a three-year plan: dated deadlines keep their own year; the plan's year is the range's last
    // year, so an undated 年底前 means the end of the plan
    let s = "某市全面推进政务公开三年行动方案\u{FF08}2018\u{2014}2020年\u{FF09}\n\
一、主要任务\n\
\u{FF08}一\u{FF09}推进决策公开。2019年底前建立重大行政决策目录制度\u{FF0C}2020年6月底前实现全覆盖。\u{FF08}市政府办公室牵头\u{FF0C}市司法局配合\u{FF09}\n\
\u{FF08}二\u{FF09}推进执行公开。每季度公开重点工作进展情况\u{FF0C}年底前完成。\u{FF08}各县区政府负责\u{FF09}\n";
    let p = parse(s);
    assert_eq!(p.year, Some(2020));
    let d = &p.tasks[0].duties[0];
    assert_eq!(roles(d), (v(&["市政府办公室"]), v(&["市司法局"]), v(&[])));
    let dates: Vec<_> = d.deadlines.iter().filter_map(|x| x.date.clone()).collect();
    assert_eq!(dates, v(&["2019-12-31", "2020-06-30"]));
    let d = &p.tasks[1].duties[0];
    assert_eq!(d.deadlines[0].date.as_deref(), Some("2020-12-31"));
    assert_eq!(norms(d), v(&["quarterly", "once_by_2020-12-31"]));
}

#[test]
fn plan_table_with_short_column_names() {
    // headers written with one word each: 任务 | 措施 | 牵头 | 配合
    let s = "某区2020年政务公开任务清单\n\
序号 | 任务 | 措施 | 牵头 | 配合\n\
1 | 公开财政信息 | 按月公开财政收支情况。 | 区财政局 | 区税务局\n\
2 | 做好政策解读 | 及时发布解读材料。 | 区政府办公室 |\n";
    let p = parse(s);
    let r: Vec<_> = p
        .tasks
        .iter()
        .map(|t| (t.number, roles(&t.duties[0])))
        .collect();
    assert_eq!(
        r,
        vec![
            (1, (v(&["区财政局"]), v(&["区税务局"]), v(&[]))),
            (2, (v(&["区政府办公室"]), v(&[]), v(&[]))),
        ]
    );
}
