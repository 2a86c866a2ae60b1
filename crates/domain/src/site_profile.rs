//! Who runs the site and what its pages must say: the government's name, region and level, the
//! theme colour, the logo, and the identifiers a Chinese government website shows in its footer
//! 〔网站标识码、ICP备案号、公安机关备案号、党政机关网站标识、主办单位、承办单位、联系我们〕.
//! Validation with Chinese messages; pure.

use crate::model::coded_enum;
use crate::validate::{self, Invalid};
use serde::{Deserialize, Serialize};

coded_enum!(
    /// The level of the government that runs the site.
    GovLevel {
        Province = "province": "省级\u{FF08}省、自治区、直辖市\u{FF09}",
        City = "city": "市级\u{FF08}地级市、州、盟\u{FF09}",
        County = "county": "县级\u{FF08}县、县级市、区、旗\u{FF09}",
        Township = "township": "乡级\u{FF08}乡、镇、街道\u{FF09}",
        Department = "department": "政府部门",
    }
);

/// The name a fresh install shows until the system administrator completes setup.
pub const NEUTRAL_SITE_NAME: &str = "政府信息公开平台";

/// The largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 200 * 1024;

/// The ICP licence lookup every ICP备案号 links to.
pub const ICP_URL: &str = "https://beian.miit.gov.cn/";
/// The 全国互联网安全管理服务平台 page of a 公安机关备案号 (the number is appended).
pub const POLICE_URL: &str = "https://beian.mps.gov.cn/#/query/webSearch?code=";

/// The one-character province abbreviations used in ICP备案号 and 公安机关备案号.
const PROVINCES: &str =
    "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川蜀贵黔云滇藏陕秦甘陇青宁新港澳台";

/// The site's settings as stored and shown; every field is text, empty when unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteProfile {
    /// The government's name, shown as the site's name.
    pub name: String,
    /// The region as 所在地区 such as 某某省某某市.
    pub region: String,
    /// A [`GovLevel`] code.
    pub level: String,
    /// `#rrggbb`, lower case; empty keeps the built-in colours.
    pub theme_color: String,
    /// The 网站标识码 of 10 digits or letters.
    pub site_code: String,
    /// The ICP备案号 such as 辽ICP备12345678号-1.
    pub icp: String,
    /// The 公安机关备案号 such as 辽公网安备 21110202000123号.
    pub police: String,
    /// The site's page at the 党政机关网站标识 registry (bszs.conac.cn).
    pub conac_url: String,
    /// 主办单位.
    pub sponsor: String,
    /// 承办单位.
    pub organizer: String,
    /// The 联系我们 page: address, phone, e-mail, postcode.
    pub address: String,
    pub phone: String,
    pub email: String,
    pub postcode: String,
}

impl SiteProfile {
    /// The keys of the stored fields, in form order (the name is stored with the site).
    pub const KEYS: &'static [&'static str] = &[
        "region",
        "level",
        "theme_color",
        "site_code",
        "icp",
        "police",
        "conac_url",
        "sponsor",
        "organizer",
        "address",
        "phone",
        "email",
        "postcode",
    ];

    /// The field called `key` (one of [`Self::KEYS`]).
    pub fn field(&self, key: &str) -> &str {
        match key {
            "region" => &self.region,
            "level" => &self.level,
            "theme_color" => &self.theme_color,
            "site_code" => &self.site_code,
            "icp" => &self.icp,
            "police" => &self.police,
            "conac_url" => &self.conac_url,
            "sponsor" => &self.sponsor,
            "organizer" => &self.organizer,
            "address" => &self.address,
            "phone" => &self.phone,
            "email" => &self.email,
            "postcode" => &self.postcode,
            _ => "",
        }
    }

    /// Sets the field called `key`; unknown keys are ignored.
    pub fn set_field(&mut self, key: &str, value: String) {
        let slot = match key {
            "region" => &mut self.region,
            "level" => &mut self.level,
            "theme_color" => &mut self.theme_color,
            "site_code" => &mut self.site_code,
            "icp" => &mut self.icp,
            "police" => &mut self.police,
            "conac_url" => &mut self.conac_url,
            "sponsor" => &mut self.sponsor,
            "organizer" => &mut self.organizer,
            "address" => &mut self.address,
            "phone" => &mut self.phone,
            "email" => &mut self.email,
            "postcode" => &mut self.postcode,
            _ => return,
        };
        *slot = value;
    }

    /// Only what setup asks: the name, region and level.
    pub fn validate_identity(&self) -> Result<SiteProfile, Invalid> {
        let mut inv = Invalid::default();
        let out = self.identity(&mut inv);
        inv.into_result()?;
        Ok(out)
    }

    fn identity(&self, inv: &mut Invalid) -> SiteProfile {
        let name = validate::required_text(inv, "name", "政府名称", &self.name, 40);
        let region = validate::required_text(inv, "region", "所在地区", &self.region, 40);
        let level = match GovLevel::from_code(self.level.trim()) {
            Some(l) => l.code().to_string(),
            None => {
                inv.push("level", "请选择行政层级");
                String::new()
            }
        };
        SiteProfile {
            name,
            region,
            level,
            ..self.clone()
        }
    }

    /// Every field, trimmed and normalised: upper-case 标识码 and one space in the 公安备案号.
    pub fn validate(&self) -> Result<SiteProfile, Invalid> {
        let mut inv = Invalid::default();
        let mut out = self.identity(&mut inv);
        out.theme_color = theme_color(&mut inv, &self.theme_color);
        out.site_code = site_code(&mut inv, &self.site_code);
        out.icp = icp(&mut inv, &self.icp);
        out.police = police(&mut inv, &self.police);
        out.conac_url = conac_url(&mut inv, &self.conac_url);
        out.sponsor = validate::optional_text(&mut inv, "sponsor", "主办单位", &self.sponsor, 60)
            .unwrap_or_default();
        out.organizer =
            validate::optional_text(&mut inv, "organizer", "承办单位", &self.organizer, 60)
                .unwrap_or_default();
        out.address = validate::optional_text(&mut inv, "address", "联系地址", &self.address, 100)
            .unwrap_or_default();
        out.phone = phone(&mut inv, &self.phone);
        out.email = validate::optional_email(&mut inv, "email", &self.email).unwrap_or_default();
        out.postcode = postcode(&mut inv, &self.postcode);
        inv.into_result()?;
        Ok(out)
    }

    /// The level's label, empty when unset.
    pub fn level_label(&self) -> &'static str {
        GovLevel::from_code(&self.level).map_or("", GovLevel::label)
    }

    /// The digits of the 公安机关备案号 for its link.
    pub fn police_code(&self) -> String {
        self.police.chars().filter(char::is_ascii_digit).collect()
    }

    /// Whether any 联系我们 field is set.
    pub fn has_contact(&self) -> bool {
        [&self.address, &self.phone, &self.email, &self.postcode]
            .iter()
            .any(|s| !s.is_empty())
    }
}

/// Full-width letters, digits and hyphens folded to ASCII; spaces removed.
fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            _ => c,
        })
        .collect()
}

fn theme_color(inv: &mut Invalid, raw: &str) -> String {
    let v = raw.trim().to_ascii_lowercase();
    if v.is_empty() {
        return v;
    }
    let Some(rgb) = parse_hex_color(&v) else {
        inv.push(
            "theme_color",
            "主题色应为 #rrggbb 形式的十六进制颜色\u{FF0C}例如 #a8141b",
        );
        return v;
    };
    let ratio = contrast_with_white(rgb);
    if ratio < 4.5 {
        inv.push(
            "theme_color",
            format!(
                "主题色与白色文字的对比度为{ratio:.1}:1\u{FF0C}低于无障碍要求的4.5:1\u{FF0C}请选择更深的颜色"
            ),
        );
    }
    v
}

/// `#rrggbb` to its three channels.
pub fn parse_hex_color(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let ch = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([ch(0)?, ch(2)?, ch(4)?])
}

/// The WCAG contrast ratio of a colour against white.
pub fn contrast_with_white(rgb: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
    1.05 / (l + 0.05)
}

/// The colour darkened by `percent` (for hover and borders), as `#rrggbb`.
pub fn darken(rgb: [u8; 3], percent: u8) -> String {
    let f = f64::from(100 - percent.min(100)) / 100.0;
    let d = |c: u8| (f64::from(c) * f).round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", d(rgb[0]), d(rgb[1]), d(rgb[2]))
}

/// The colour mixed with white, `percent` of the way (for tints), as `#rrggbb`.
pub fn tint(rgb: [u8; 3], percent: u8) -> String {
    let f = f64::from(percent.min(100)) / 100.0;
    let t = |c: u8| {
        (f64::from(c) + (255.0 - f64::from(c)) * f)
            .round()
            .clamp(0.0, 255.0) as u8
    };
    format!("#{:02x}{:02x}{:02x}", t(rgb[0]), t(rgb[1]), t(rgb[2]))
}

/// The stylesheet that puts a theme colour in place of the built-in red (`--red`, its dark and
/// tint forms); `None` for no or an invalid colour.
pub fn theme_css(color: &str) -> Option<String> {
    let rgb = parse_hex_color(color)?;
    Some(format!(
        ":root {{\n  --red: #{:02x}{:02x}{:02x};\n  --red-dark: {};\n  --red-tint: {};\n}}\n",
        rgb[0],
        rgb[1],
        rgb[2],
        darken(rgb, 25),
        tint(rgb, 94)
    ))
}

fn site_code(inv: &mut Invalid, raw: &str) -> String {
    let v = fold(raw).to_ascii_uppercase();
    if !v.is_empty() && (v.len() != 10 || !v.chars().all(|c| c.is_ascii_alphanumeric())) {
        inv.push(
            "site_code",
            "网站标识码应为10位数字或字母\u{FF0C}例如 2111000001",
        );
    }
    v
}

fn province_prefix(v: &str) -> Option<&str> {
    let first = v.chars().next()?;
    PROVINCES.contains(first).then(|| &v[first.len_utf8()..])
}

fn icp(inv: &mut Invalid, raw: &str) -> String {
    let v = fold(raw).replace("icp", "ICP");
    if v.is_empty() {
        return v;
    }
    let ok = province_prefix(&v)
        .and_then(|rest| rest.strip_prefix("ICP备"))
        .and_then(|rest| {
            let (num, tail) = rest.split_once('号')?;
            let digits_ok =
                (6..=12).contains(&num.len()) && num.chars().all(|c| c.is_ascii_digit());
            let tail_ok = tail.is_empty()
                || tail.strip_prefix('-').is_some_and(|n| {
                    (1..=3).contains(&n.len()) && n.chars().all(|c| c.is_ascii_digit())
                });
            Some(digits_ok && tail_ok)
        })
        .unwrap_or(false);
    if !ok {
        inv.push(
            "icp",
            "ICP备案号格式应为 省份简称+ICP备+数字+号\u{FF0C}可带 -序号\u{FF0C}例如 辽ICP备12345678号-1",
        );
    }
    v
}

fn police(inv: &mut Invalid, raw: &str) -> String {
    let v = fold(raw);
    if v.is_empty() {
        return v;
    }
    let parsed = province_prefix(&v)
        .and_then(|rest| rest.strip_prefix("公网安备"))
        .and_then(|rest| rest.strip_suffix('号'))
        .filter(|num| num.len() == 14 && num.chars().all(|c| c.is_ascii_digit()));
    match parsed {
        Some(num) => {
            let province = &v[..v.len() - num.len() - '号'.len_utf8()];
            format!("{province} {num}号")
        }
        None => {
            inv.push(
                "police",
                "公安机关备案号格式应为 省份简称+公网安备+14位数字+号\u{FF0C}例如 辽公网安备 21110202000123号",
            );
            v
        }
    }
}

fn conac_url(inv: &mut Invalid, raw: &str) -> String {
    let v = raw.trim().to_string();
    if v.is_empty() {
        return v;
    }
    let host_ok = ["https://bszs.conac.cn/", "http://bszs.conac.cn/"]
        .iter()
        .any(|p| v.starts_with(p));
    let clean = !v
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>\"'`".contains(c));
    if !host_ok || !clean || v.len() > 300 {
        inv.push(
            "conac_url",
            "党政机关网站标识链接应为本网站在 bszs.conac.cn 的标识页面地址\u{FF0C}例如 https://bszs.conac.cn/sitename?method=show&id=1234",
        );
    }
    v
}

fn phone(inv: &mut Invalid, raw: &str) -> String {
    let v = raw.trim().to_string();
    if v.is_empty() {
        return v;
    }
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let ok = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+' | '\u{3001}' | '转'))
        && (5..=40).contains(&digits)
        && validate::char_len(&v) <= 60;
    if !ok {
        inv.push(
            "phone",
            "联系电话只能包含数字、连字符和空格\u{FF0C}例如 0427-2822000",
        );
    }
    v
}

fn postcode(inv: &mut Invalid, raw: &str) -> String {
    let v = fold(raw);
    if !v.is_empty() && (v.len() != 6 || !v.chars().all(|c| c.is_ascii_digit())) {
        inv.push("postcode", "邮政编码应为6位数字");
    }
    v
}

/// The content type of an uploaded logo, by its bytes: PNG, JPEG, GIF or WebP, at most
/// [`MAX_LOGO_BYTES`]. SVG is refused: it can carry scripts.
pub fn logo_type(bytes: &[u8]) -> Result<&'static str, Invalid> {
    if bytes.is_empty() {
        return Err(Invalid::one("logo", "上传的站点标志是空文件"));
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(Invalid::one(
            "logo",
            format!(
                "站点标志不能超过{}KB\u{FF08}当前{}KB\u{FF09}",
                MAX_LOGO_BYTES / 1024,
                bytes.len().div_ceil(1024)
            ),
        ));
    }
    let kind = if bytes.starts_with(b"\x89PNG\r\n\x1A\n") {
        "image/png"
    } else if bytes.starts_with(b"\xFF\xD8\xFF") {
        "image/jpeg"
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        "image/gif"
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else {
        return Err(Invalid::one(
            "logo",
            "站点标志须为 PNG、JPEG、GIF 或 WebP 图片",
        ));
    };
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> SiteProfile {
        SiteProfile {
            name: "某某市人民政府".into(),
            region: "某某省某某市".into(),
            level: "city".into(),
            ..Default::default()
        }
    }

    fn error(p: &SiteProfile, field: &str) -> Option<String> {
        p.validate()
            .err()
            .and_then(|e| e.message_for(field).map(str::to_string))
    }

    #[test]
    fn identity_is_required() {
        let e = SiteProfile::default().validate().unwrap_err();
        for f in ["name", "region", "level"] {
            assert!(e.message_for(f).is_some(), "{f}");
        }
        assert!(valid().validate().is_ok());
    }

    #[test]
    fn theme_colour_is_hex_and_readable_under_white_text() {
        let mut p = valid();
        p.theme_color = "#A8141B".into();
        assert_eq!(p.validate().unwrap().theme_color, "#a8141b");
        for bad in ["red", "#abc", "#12345g", "a8141b"] {
            p.theme_color = bad.into();
            assert!(error(&p, "theme_color").is_some(), "{bad}");
        }
        p.theme_color = "#ffff00".into();
        assert!(error(&p, "theme_color").unwrap().contains("4.5:1"));
        assert!((contrast_with_white([0, 0, 0]) - 21.0).abs() < 0.01);
        assert_eq!(darken([200, 100, 0], 50), "#643200");
        assert_eq!(tint([0, 0, 0], 50), "#808080");
        let css = theme_css("#0a4a93").unwrap();
        assert!(css.contains("--red: #0a4a93;"), "{css}");
        assert!(theme_css("x").is_none());
    }

    #[test]
    fn site_code_is_ten_letters_or_digits() {
        let mut p = valid();
        p.site_code = " 2111000001 ".into();
        assert_eq!(p.validate().unwrap().site_code, "2111000001");
        p.site_code = "\u{FF12}111000001".into();
        assert_eq!(p.validate().unwrap().site_code, "2111000001");
        for bad in ["211100000", "21110000011", "2111-00001"] {
            p.site_code = bad.into();
            assert!(error(&p, "site_code").is_some(), "{bad}");
        }
    }

    #[test]
    fn icp_numbers() {
        let mut p = valid();
        for ok in [
            "辽ICP备12345678号-1",
            "京ICP备05001234号",
            "粤icp备2021000001号-12",
        ] {
            p.icp = ok.into();
            assert!(p.validate().is_ok(), "{ok}");
        }
        for bad in [
            "ICP备12345678号",
            "X辽ICP备12345678号",
            "辽ICP备12345678",
            "辽ICP备1234号",
            "辽ICP备12345678号-",
        ] {
            p.icp = bad.into();
            assert!(error(&p, "icp").is_some(), "{bad}");
        }
    }

    #[test]
    fn police_numbers_are_normalised() {
        let mut p = valid();
        p.police = "辽公网安备21110202000123号".into();
        let v = p.validate().unwrap();
        assert_eq!(v.police, "辽公网安备 21110202000123号");
        assert_eq!(v.police_code(), "21110202000123");
        p.police = "辽公网安备 2111020200012号".into();
        assert!(error(&p, "police").is_some());
    }

    #[test]
    fn contact_and_conac() {
        let mut p = valid();
        p.conac_url = "https://bszs.conac.cn/sitename?method=show&id=1234".into();
        p.phone = "0427-2822000".into();
        p.postcode = "124010".into();
        p.email = "gk@example.gov.cn".into();
        assert!(p.validate().unwrap().has_contact());
        p.conac_url = "https://evil.example/\">".into();
        assert!(error(&p, "conac_url").is_some());
        p.phone = "call me".into();
        assert!(error(&p, "phone").is_some());
        p.postcode = "12401".into();
        assert!(error(&p, "postcode").is_some());
    }

    #[test]
    fn logos_are_images_of_a_safe_kind_and_size() {
        assert_eq!(logo_type(b"\x89PNG\r\n\x1A\nrest").unwrap(), "image/png");
        assert_eq!(logo_type(b"\xFF\xD8\xFF\xE0").unwrap(), "image/jpeg");
        assert!(logo_type(b"<svg onload=alert(1)>").is_err());
        assert!(logo_type(b"").is_err());
        let mut big = b"\x89PNG\r\n\x1A\n".to_vec();
        big.resize(MAX_LOGO_BYTES + 1, 0);
        assert!(logo_type(&big).unwrap_err().summary().contains("200KB"));
    }

    #[test]
    fn fields_round_trip_through_keys() {
        let mut p = SiteProfile::default();
        for (i, k) in SiteProfile::KEYS.iter().enumerate() {
            p.set_field(k, format!("v{i}"));
        }
        for (i, k) in SiteProfile::KEYS.iter().enumerate() {
            assert_eq!(p.field(k), format!("v{i}"));
        }
    }
}
