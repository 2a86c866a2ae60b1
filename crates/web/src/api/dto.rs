//! What the API sends and receives. These types are the API's contract and carry the OpenAPI
//! schemas; database rows are converted into them, never serialised directly.

use crate::portal::{column_href, percent_encode};
use gongkai_db::attachments::Attachment;
use gongkai_db::columns::Column;
use gongkai_db::items::{Item, ItemSummary};
use gongkai_db::orgs::Org;
use gongkai_domain::item::ItemFields;
use gongkai_domain::model::{BodyFormat, Disclosure, ItemStatus, Validity};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An instant as RFC 3339 in China time, e.g. `2017-06-05T09:30:00+08:00`.
pub fn instant(ms: i64) -> Option<String> {
    gongkai_domain::china_time::at(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
}

/// The civil date in China of an instant, `YYYY-MM-DD`.
pub fn china_date(ms: i64) -> Option<String> {
    gongkai_domain::china_time::date_of(ms).map(|d| d.to_string())
}

fn label<T: Copy>(code: &str, from: fn(&str) -> Option<T>, label: fn(T) -> &'static str) -> String {
    from(code).map(label).unwrap_or("未知").to_string()
}

// ---------------------------------------------------------------- errors and index

/// Every error response. `code` is one of the stable codes of the table in the description of
/// this API; `errors` lists field problems for `invalid_input` and is empty otherwise.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code.
    #[schema(example = "not_found")]
    pub code: String,
    /// Message in Simplified Chinese for people.
    #[schema(example = "信息不存在或未公开")]
    pub message: String,
    pub errors: Vec<FieldErrorDto>,
}

/// The refusals of an operation on one item, documented together: 400, 401, 403 and 404, each an
/// [`ErrorBody`] (the handlers answer through `ApiError`).
#[derive(utoipa::IntoResponses)]
pub enum ItemRefusals {
    #[response(
        status = 400,
        description = "`bad_request`: malformed JSON or a wrongly typed field"
    )]
    BadRequest(ErrorBody),
    #[response(status = 401, description = "`unauthenticated`")]
    Unauthenticated(ErrorBody),
    #[response(status = 403, description = "`forbidden`")]
    Forbidden(ErrorBody),
    #[response(status = 404, description = "`not_found`")]
    NotFound(ErrorBody),
}

/// One rejected field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorDto {
    /// Name of the request field, e.g. `title`.
    #[schema(example = "title")]
    pub field: String,
    #[schema(example = "标题不能为空")]
    pub message: String,
}

/// The entry point of the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiIndex {
    pub name: String,
    pub version: String,
    /// Address of the OpenAPI document.
    #[schema(example = "/api/v1/openapi.json")]
    pub openapi: String,
    pub links: Vec<ApiLink>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiLink {
    pub rel: String,
    pub href: String,
    pub title: String,
}

// ---------------------------------------------------------------- organisations

/// An organisation (机构).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDto {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// Short code used in 索引号 patterns.
    pub code: String,
    pub name: String,
    /// One of `government`, `general_office`, `department`, `collective`, `county_government`,
    /// `vertical`, `other`.
    pub kind: String,
    /// Chinese name of `kind`, e.g. 政府工作部门.
    pub kind_label: String,
    /// 统一社会信用代码.
    pub credit_code: Option<String>,
    pub sort_order: i64,
    /// This organisation in the API.
    pub url: String,
    /// Its page on the portal.
    pub html_url: String,
}

impl From<&Org> for OrgDto {
    fn from(o: &Org) -> Self {
        Self {
            id: o.id,
            parent_id: o.parent_id,
            code: o.code.clone(),
            name: o.name.clone(),
            kind: o.kind.clone(),
            kind_label: o.kind_label().to_string(),
            credit_code: o.credit_code.clone(),
            sort_order: o.sort_order,
            url: format!("/api/v1/orgs/{}", o.id),
            html_url: format!("/orgs/{}", o.id),
        }
    }
}

/// An organisation with its description, aliases and direct children.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDetail {
    #[serde(flatten)]
    pub org: OrgDto,
    pub description: String,
    /// Other names it is known by (市发改委 = 市发展改革委).
    pub aliases: Vec<String>,
    /// Ids of the organisations directly below it.
    pub children: Vec<i64>,
}

/// Every organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgList {
    pub orgs: Vec<OrgDto>,
}

// ---------------------------------------------------------------- columns

/// A column (栏目) of the site. Columns form a tree through `parent_id`; lists are in tree order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnDto {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub slug: String,
    /// One of `news`, `notice`, `policy_document`, `interpretation`, `personnel`, `planning`,
    /// `topic`, `interaction`, `service`, `data_release`, `guide`, `rules`, `annual_report`,
    /// `catalogue`.
    pub kind: String,
    /// Chinese name of `kind`, e.g. 政策文件.
    pub kind_label: String,
    pub description: String,
    pub sort_order: i64,
    pub url: String,
    pub html_url: String,
}

impl From<&Column> for ColumnDto {
    fn from(c: &Column) -> Self {
        Self {
            id: c.id,
            parent_id: c.parent_id,
            name: c.name.clone(),
            slug: c.slug.clone(),
            kind: c.kind.clone(),
            kind_label: c.kind_label().to_string(),
            description: c.description.clone(),
            sort_order: c.sort_order,
            url: format!("/api/v1/columns/{}", c.id),
            html_url: column_href(&c.slug),
        }
    }
}

/// A column with its place in the tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnDetail {
    #[serde(flatten)]
    pub column: ColumnDto,
    /// Ids from the root down to this column (inclusive).
    pub path: Vec<i64>,
    /// Ids of the columns directly below it.
    pub children: Vec<i64>,
}

/// Every column of the site, as a flat list in tree order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnList {
    pub columns: Vec<ColumnDto>,
}

/// A column an item is filed in.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnRef {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

// ---------------------------------------------------------------- items

/// An item in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemSummaryDto {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub org_id: i64,
    pub org_name: String,
    /// 索引号.
    pub index_no: Option<String>,
    /// 发文字号.
    pub doc_number: Option<String>,
    /// `valid`, `amended`, `repealed` or `expired`.
    pub validity: String,
    pub validity_label: String,
    /// Publication time, RFC 3339 in China time.
    #[schema(example = "2017-06-05T09:30:00+08:00")]
    pub published_at: Option<String>,
    pub url: String,
    pub html_url: String,
}

impl From<&ItemSummary> for ItemSummaryDto {
    fn from(i: &ItemSummary) -> Self {
        Self {
            id: i.id,
            title: i.title.clone(),
            summary: i.summary.clone(),
            org_id: i.org_id,
            org_name: i.org_name.clone(),
            index_no: i.index_no.clone(),
            doc_number: i.doc_number.clone(),
            validity: i.validity.clone(),
            validity_label: label(&i.validity, Validity::from_code, Validity::label),
            published_at: i.published_at.and_then(instant),
            url: format!("/api/v1/items/{}", i.id),
            html_url: format!("/items/{}", i.id),
        }
    }
}

/// One page of public items, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemList {
    pub items: Vec<ItemSummaryDto>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// An attachment (附件).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentDto {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Download address, `/attachments/{id}/{file_name}` (file name percent-encoded). Public
    /// items' attachments only; for other items it answers 404.
    #[schema(example = "/attachments/7/%E9%99%84%E4%BB%B6.pdf")]
    pub url: String,
}

impl From<&Attachment> for AttachmentDto {
    fn from(a: &Attachment) -> Self {
        Self {
            id: a.id,
            file_name: a.file_name.clone(),
            content_type: a.content_type.clone(),
            size_bytes: a.size_bytes,
            sha256: a.sha256.clone(),
            url: format!("/attachments/{}/{}", a.id, percent_encode(&a.file_name)),
        }
    }
}

/// A whole item with the government-document metadata (the gov.cn header).
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDetail {
    pub id: i64,
    pub title: String,
    pub summary: String,
    /// `draft`, `published` or `unpublished`. Always `published` on the public endpoints.
    pub status: String,
    pub status_label: String,
    /// 公开属性: `proactive` (主动公开), `on_request` (依申请公开) or `not_disclosed` (不予公开).
    /// Always `proactive` on the public endpoints.
    pub disclosure: String,
    pub disclosure_label: String,
    /// Why an item is not proactively disclosed.
    pub disclosure_reason: Option<String>,
    /// 索引号, given on first publication.
    pub index_no: Option<String>,
    /// Publishing organisation.
    pub org_id: i64,
    pub org_name: String,
    pub column_ids: Vec<i64>,
    pub columns: Vec<ColumnRef>,
    /// 主题分类.
    pub topic_category: Option<String>,
    /// 发文机关.
    pub issuing_authority: Option<String>,
    /// 成文日期, `YYYY-MM-DD`.
    pub written_on: Option<String>,
    /// 发文字号.
    pub doc_number: Option<String>,
    /// 主题词.
    pub keywords: Option<String>,
    /// 有效性: `valid`, `amended`, `repealed` or `expired`.
    pub validity: String,
    pub validity_label: String,
    /// Since when the document is 已修改 / 已废止 / 已失效, `YYYY-MM-DD`; absent while 有效.
    pub validity_changed_on: Option<String>,
    /// `rule` (规章) or `normative` (行政规范性文件); absent for other items.
    pub legal_form: Option<String>,
    /// Publication time, RFC 3339 in China time.
    #[schema(example = "2017-06-05T09:30:00+08:00")]
    pub published_at: Option<String>,
    /// 发布日期, `YYYY-MM-DD` in China time.
    pub publish_date: Option<String>,
    /// `markdown` or `html`: how `body` was written.
    pub body_format: String,
    /// The sanitised body as HTML.
    pub body_html: String,
    /// The body as written. Only in answers to authenticated clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub attachments: Vec<AttachmentDto>,
    /// Pass back as `version` when updating (optimistic locking).
    pub version: i64,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub url: String,
    pub html_url: String,
}

impl ItemDetail {
    pub fn new(
        item: &Item,
        org_name: String,
        columns: Vec<ColumnRef>,
        attachments: &[Attachment],
        with_source: bool,
    ) -> Self {
        Self {
            id: item.id,
            title: item.title.clone(),
            summary: item.summary.clone(),
            status: item.status.clone(),
            status_label: label(&item.status, ItemStatus::from_code, ItemStatus::label),
            disclosure: item.disclosure.clone(),
            disclosure_label: label(&item.disclosure, Disclosure::from_code, Disclosure::label),
            disclosure_reason: item.disclosure_reason.clone(),
            index_no: item.index_no.clone(),
            org_id: item.org_id,
            org_name,
            column_ids: columns.iter().map(|c| c.id).collect(),
            columns,
            topic_category: item.topic_category.clone(),
            issuing_authority: item.issuing_authority.clone(),
            written_on: item.written_on.map(|d| d.to_string()),
            doc_number: item.doc_number.clone(),
            keywords: item.keywords.clone(),
            validity: item.validity.clone(),
            validity_label: label(&item.validity, Validity::from_code, Validity::label),
            validity_changed_on: item.validity_changed_on.map(|d| d.to_string()),
            legal_form: item.legal_form.clone(),
            published_at: item.published_at.and_then(instant),
            publish_date: item.published_at.and_then(china_date),
            body_format: BodyFormat::from_code(&item.body_format)
                .map(BodyFormat::code)
                .unwrap_or("markdown")
                .to_string(),
            body_html: item.body_html.clone(),
            body: with_source.then(|| item.body_source.clone()),
            attachments: attachments.iter().map(AttachmentDto::from).collect(),
            version: item.version,
            created_at: instant(item.created_at),
            updated_at: instant(item.updated_at),
            url: format!("/api/v1/items/{}", item.id),
            html_url: format!("/items/{}", item.id),
        }
    }
}

/// Query of `GET /items`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemListQuery {
    /// Only items in this column or any column below it.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub column: Option<String>,
    /// Only items published by this organisation.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub org: Option<String>,
    /// Only items published in this year (civil year in China, e.g. 2017).
    #[param(value_type = Option<i32>, minimum = 1949, maximum = 9999)]
    pub year: Option<String>,
    /// Only items whose title contains this text (at most 100 characters; `%` and `_` match
    /// themselves).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Items per page, 1 to 50 (default 20); any other value is a `bad_request`.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 50)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^((2[dD])?(3[0-9]){1,18}3[aA]3[1-9](3[0-9]){0,17})?$")]
    pub cursor: Option<String>,
}

// ---------------------------------------------------------------- writing items

/// The content of an item, for `POST /items` (and, with `version`, `PUT /items/{id}`). Every
/// field is optional in the JSON, but validation requires `title`, `org_id` and at least one
/// column, and a `disclosure_reason` when `disclosure` is not `proactive`. Ids may be sent as
/// numbers or as strings of digits.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ItemWrite {
    /// 标题, at most 200 characters.
    #[schema(required = true, example = "关于2017年财政预算执行情况的公告")]
    #[serde(default)]
    pub title: String,
    /// 摘要, at most 500 characters; made from the body when empty.
    #[serde(default)]
    pub summary: String,
    /// `markdown` (default) or `html` (pasted rich text, sanitised).
    #[schema(example = "markdown")]
    #[serde(default)]
    pub body_format: String,
    /// 正文, at most 200 000 characters.
    #[serde(default)]
    pub body: String,
    /// Publishing organisation.
    #[serde(default, deserialize_with = "id_text")]
    #[schema(schema_with = org_id_schema, required = true, example = 3)]
    pub org_id: String,
    /// Columns to file the item in (at least one).
    #[serde(default, deserialize_with = "id_texts")]
    #[schema(schema_with = ids_schema, required = true, example = json!([5]))]
    pub column_ids: Vec<String>,
    /// `proactive` (default), `on_request` or `not_disclosed`.
    #[schema(example = "proactive")]
    #[serde(default)]
    pub disclosure: String,
    /// Required unless `disclosure` is `proactive`.
    #[serde(default)]
    pub disclosure_reason: String,
    /// 主题分类.
    #[serde(default)]
    pub topic_category: String,
    /// 发文机关.
    #[serde(default)]
    pub issuing_authority: String,
    /// 成文日期, `YYYY-MM-DD`.
    #[schema(example = "2017-06-01")]
    #[serde(default)]
    pub written_on: String,
    /// 发文字号.
    #[schema(example = "盘政办发〔2017〕12号")]
    #[serde(default)]
    pub doc_number: String,
    /// 主题词.
    #[serde(default)]
    pub keywords: String,
    /// `valid` (default), `amended`, `repealed` or `expired`.
    #[serde(default)]
    pub validity: String,
    /// 发布日期 `YYYY-MM-DD`, for documents first published elsewhere; else the publication time.
    #[serde(default)]
    pub publish_date: String,
    /// For a 政策解读: the published policy document it interprets. It must come from the same
    /// organisation (谁起草、谁解读); the API offers no override.
    #[serde(default, deserialize_with = "id_text")]
    #[schema(schema_with = interprets_schema)]
    pub interprets_item_id: String,
    /// Required unless `validity` is `valid`: since when, `YYYY-MM-DD`.
    #[serde(default)]
    pub validity_changed_on: String,
    /// The document amending or replacing this one (ignored while `valid`).
    #[serde(default, deserialize_with = "id_text")]
    #[schema(schema_with = replaced_by_schema)]
    pub replaced_by_item_id: String,
    /// `rule` (规章) or `normative` (行政规范性文件), counted in the annual report's table 二; empty
    /// for other items.
    #[serde(default)]
    pub legal_form: String,
}

impl ItemWrite {
    pub fn fields(&self) -> ItemFields {
        ItemFields {
            title: self.title.clone(),
            summary: self.summary.clone(),
            body_format: self.body_format.clone(),
            body: self.body.clone(),
            org_id: self.org_id.clone(),
            column_ids: self.column_ids.clone(),
            disclosure: self.disclosure.clone(),
            disclosure_reason: self.disclosure_reason.clone(),
            topic_category: self.topic_category.clone(),
            issuing_authority: self.issuing_authority.clone(),
            written_on: self.written_on.clone(),
            doc_number: self.doc_number.clone(),
            keywords: self.keywords.clone(),
            validity: self.validity.clone(),
            publish_date: self.publish_date.clone(),
            interprets_item_id: self.interprets_item_id.clone(),
            cross_org_interpretation: String::new(),
            validity_changed_on: self.validity_changed_on.clone(),
            replaced_by_item_id: self.replaced_by_item_id.clone(),
            legal_form: self.legal_form.clone(),
        }
    }
}

/// `PUT /items/{id}`: the whole new content (fields left out become empty) plus the `version`
/// the client last read.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ItemUpdate {
    /// The `version` of the item as last read; a stale version is refused with `conflict`.
    #[serde(default, deserialize_with = "opt_int")]
    #[schema(value_type = i64, required = true, example = 1)]
    pub version: Option<i64>,
    /// For a published item: `true` for 实质性修改 (requires `change_note`, shown publicly in
    /// the item's 更新记录); otherwise the change is a 勘误. Either way a version is stored.
    #[serde(default)]
    pub major: bool,
    /// The public 修改说明 of a major change.
    #[serde(default)]
    pub change_note: Option<String>,
    #[serde(flatten)]
    pub item: ItemWrite,
}

/// The document's schema of an id field as [`id_text`] reads it: a number, a string or `null`
/// (a string that is not a positive integer, or an unknown id, is `invalid_input`).
fn id_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::Integer,
            Type::String,
            Type::Null,
        ]))
        .description(Some("An id: a number or a string of digits"))
        .build()
}

fn described_id(text: &str) -> utoipa::openapi::schema::Object {
    let mut o = id_schema();
    o.description = Some(format!("{text} An id: a number or a string of digits."));
    o
}

fn org_id_schema() -> utoipa::openapi::schema::Object {
    described_id("Publishing organisation.")
}

fn interprets_schema() -> utoipa::openapi::schema::Object {
    described_id(
        "For a policy interpretation, the published policy document it interprets, from the \
         same organisation as the rule 谁起草、谁解读 requires; the API offers no override.",
    )
}

fn replaced_by_schema() -> utoipa::openapi::schema::Object {
    described_id("The document amending or replacing this one (ignored while `valid`).")
}

/// The document's schema of a list of ids as [`id_texts`] reads it: an array of ids, or one id.
fn ids_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, OneOfBuilder, Schema};
    Schema::OneOf(
        OneOfBuilder::new()
            .item(ArrayBuilder::new().items(id_schema()))
            .item(id_schema())
            .description(Some(
                "Columns to file the item in (at least one): an array of ids, or a single id",
            ))
            .build(),
    )
}

/// An id as the text validation expects: a JSON number, a string, or `null`/absent (empty).
fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    scalar_text(v.unwrap_or(serde_json::Value::Null)).map_err(D::Error::custom)
}

/// A list of ids: an array of numbers or strings; a single id is taken as a one-element list.
fn id_texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(Vec::new()),
        Some(serde_json::Value::Array(a)) => a
            .into_iter()
            .map(|v| scalar_text(v).map_err(D::Error::custom))
            .collect(),
        Some(v) => scalar_text(v).map(|s| vec![s]).map_err(D::Error::custom),
    }
}

fn scalar_text(v: serde_json::Value) -> Result<String, &'static str> {
    match v {
        serde_json::Value::Null => Ok(String::new()),
        serde_json::Value::Number(n) => {
            Ok(whole(&n).map_or_else(|| n.to_string(), |i| i.to_string()))
        }
        serde_json::Value::String(s) => Ok(s),
        _ => Err("编号须为整数或由数字组成的字符串"),
    }
}

/// A JSON number that is a whole number within `i64` (`7` or `7.0`: JSON Schema's `integer`).
fn whole(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && (i64::MIN as f64..i64::MAX as f64).contains(f))
            .map(|f| f as i64)
    })
}

/// An integer sent as a number or a string of digits.
fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    const MSG: &str = "须为整数或由数字组成的字符串";
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => whole(&n).map(Some).ok_or(D::Error::custom(MSG)),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(MSG)),
        Some(_) => Err(D::Error::custom(MSG)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_may_be_numbers_or_strings() {
        let w: ItemWrite =
            serde_json::from_str(r#"{"title":"标题","org_id":3,"column_ids":[5,"6"]}"#).unwrap();
        assert_eq!(w.org_id, "3");
        assert_eq!(w.column_ids, vec!["5", "6"]);
        let w: ItemWrite = serde_json::from_str(r#"{"org_id":"3","column_ids":7}"#).unwrap();
        assert_eq!(w.org_id, "3");
        assert_eq!(w.column_ids, vec!["7"]);
        let w: ItemWrite = serde_json::from_str(r#"{"org_id":null}"#).unwrap();
        assert_eq!(w.org_id, "");
        assert!(w.column_ids.is_empty());
        let input = serde_json::from_str::<ItemWrite>(
            r#"{"title":"关于印发通知的通知","org_id":3,"column_ids":[5]}"#,
        )
        .unwrap()
        .fields()
        .validate()
        .unwrap();
        assert_eq!((input.org_id, input.column_ids), (3, vec![5]));
    }

    #[test]
    fn other_id_shapes_are_refused() {
        for body in [
            r#"{"org_id":{"id":3}}"#,
            r#"{"org_id":[3]}"#,
            r#"{"column_ids":[[5]]}"#,
            r#"{"column_ids":{"a":1}}"#,
        ] {
            let e = serde_json::from_str::<ItemWrite>(body).unwrap_err();
            assert!(e.to_string().contains("编号须为整数"), "{body}: {e}");
        }
    }

    #[test]
    fn non_integer_ids_fail_validation_not_parsing() {
        let w: ItemWrite = serde_json::from_str(r#"{"title":"t","org_id":1.5}"#).unwrap();
        let e = w.fields().validate().unwrap_err();
        assert!(e.message_for("org_id").is_some());
    }

    #[test]
    fn updates_carry_a_version() {
        let u: ItemUpdate =
            serde_json::from_str(r#"{"version":2,"title":"t","org_id":"1"}"#).unwrap();
        assert_eq!(u.version, Some(2));
        assert_eq!(u.item.title, "t");
        assert_eq!(u.item.org_id, "1");
        let u: ItemUpdate = serde_json::from_str(r#"{"version":"4"}"#).unwrap();
        assert_eq!(u.version, Some(4));
        let u: ItemUpdate = serde_json::from_str(r#"{"title":"t"}"#).unwrap();
        assert_eq!(u.version, None);
        assert!(serde_json::from_str::<ItemUpdate>(r#"{"version":"x"}"#).is_err());
        assert!(serde_json::from_str::<ItemUpdate>(r#"{"version":1.5}"#).is_err());
    }

    #[test]
    fn instants_are_china_time() {
        // 2017-06-05 00:00 in China is 2017-06-04 16:00 UTC.
        let ms = 1_496_592_000_000;
        assert_eq!(instant(ms).unwrap(), "2017-06-05T00:00:00+08:00");
        assert_eq!(china_date(ms).unwrap(), "2017-06-05");
        assert_eq!(china_date(ms - 1).unwrap(), "2017-06-04");
    }
}
