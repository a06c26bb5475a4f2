//! A ledger event's details in the app's languages: each key a person reads in words, and
//! the values the station writes from a fixed set (levels, roles, categories, request kinds,
//! actions, findings, yes/no, policy settings) in words too. What people typed (reasons,
//! comments, names) and identifiers (control numbers, digests) stay as they are.

use strongroom::Level;
use strongroom::accounts::Role;
use strongroom::accounts::requests::RequestKind;
use strongroom::vault::Category;

use super::i18n::Lang;
use super::vocabulary;
use super::widgets::banner;

/// The words for a detail's key (`control_number`); a key this version does not know is
/// shown as it is.
pub fn key(key: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return key.replace('_', " ");
    }
    let zh = match key {
        "alert" => "警报序号",
        "alert_action" => "警报事件",
        "approved_by" => "批准人",
        "category" => "类别",
        "checkpoints" => "检查点数",
        "clearance" => "涉密等级",
        "comment" => "意见",
        "control_number" => "编号",
        "copied_from" => "复制自",
        "count" => "数量",
        "custodian" => "保管人",
        "destination_dir" => "目标目录",
        "destroyed_by" => "销毁人",
        "entry" => "隔离条目",
        "entry_level" => "隔离密级",
        "item" => "条目",
        "medium" => "介质",
        "directory_version" => "目录版本",
        "epoch" => "纪元",
        "events" => "事件数",
        "failures" => "失败次数",
        "finding" => "发现",
        "first_bad_seq" => "首个损坏序号",
        "from" => "原密级",
        "idle_minutes" => "空闲分钟",
        "item_findings" => "条目问题数",
        "items_checked" => "已检查条目",
        "kept" => "保留",
        "keyslot_generation" => "密钥槽代次",
        "kind" => "类型",
        "level" => "密级",
        "limit" => "上限",
        "locked_at" => "锁定时间",
        "new" => "新值",
        "note" => "备注",
        "ok" => "结果",
        "old" => "原值",
        "origin" => "来源",
        "password_change_required" => "须修改密码",
        "path" => "路径",
        "previous_origin" => "原来源",
        "problem" => "问题",
        "reason" => "原因",
        "recovery_identity" => "恢复身份",
        "removable_media" => "移动介质",
        "repeated" => "重复次数",
        "request" => "请求",
        "requested_by" => "申请人",
        "role" => "角色",
        "sealing_generation" => "封装密钥代次",
        "sealing_level" => "封装密级",
        "seq" => "序号",
        "setting" => "设置项",
        "size" => "大小",
        "station" => "工作站",
        "stored_version" => "存储版本",
        "subject" => "对象",
        "target_level" => "目标密级",
        "temp_file" => "临时文件",
        "through" => "截至序号",
        "time" => "时间",
        "to" => "新密级",
        "verified_size" => "已校验大小",
        "waits_minutes" => "等待分钟",
        "window_seconds" => "时间窗（秒）",
        "window_start" => "时间窗开始",
        "witness" => "见证人",
        "certificate" => "销毁证明",
        "signing_key_replaced" => "签名密钥已更换",
        "admin_key_replaced" => "管理密钥已更换",
        other => return other.to_string(),
    };
    zh.to_string()
}

/// The words for a text value under `key`: from the station's fixed sets in `lang`, or the
/// text itself (what someone typed, a name, an identifier).
pub fn text(key: &str, value: &str, lang: Lang) -> String {
    let level = |v: &str| v.parse::<Level>().ok().map(|l| banner::label(l, lang));
    let translated = match key {
        "clearance" | "from" | "to" | "level" | "target_level" => level(value),
        "category" => Some(Category::parse(value))
            .filter(|c| c.as_str() == value)
            .map(|c| vocabulary::category(c, lang).to_string()),
        "role" => [Role::Officer, Role::Operator]
            .into_iter()
            .find(|r| r.as_str() == value)
            .map(|r| vocabulary::role(r, lang).to_string()),
        "kind" => [
            RequestKind::Destroy,
            RequestKind::Downgrade,
            RequestKind::ExportRemovable,
        ]
        .into_iter()
        .find(|k| k.as_str() == value)
        .map(|k| vocabulary::request_kind(k, lang).to_string()),
        "alert_action" => Some(vocabulary::action(value, lang)),
        "setting" => Some(subject(value, lang)),
        "old" | "new" if lang == Lang::Zh => level(value).or_else(|| switch(value)),
        "reason" if lang == Lang::Zh => station_reason(value).map(str::to_string),
        "problem" | "finding" if lang == Lang::Zh => finding(value).map(str::to_string),
        _ => None,
    };
    translated.unwrap_or_else(|| value.to_string())
}

/// An event's subject in `lang`: a policy setting or the station in words; a control
/// number or a user name as it is.
pub fn subject(subject: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return subject.to_string();
    }
    let zh = match subject {
        "station" => "工作站",
        "lockout-attempts" => "锁定前失败次数",
        "backoff-base-seconds" => "失败等待基数（秒）",
        "last-officer-wait-minutes" => "最后安全员等待（分钟）",
        "backoff-cap-seconds" => "失败等待上限（秒）",
        "idle-lock-minutes" => "空闲锁定（分钟）",
        "password-max-age-days" => "密码有效期（天）",
        "two-person-level" => "双人控制起始密级",
        "export-max-level" => "允许导出的最高密级",
        "export-reason-level" => "须填导出原因的密级",
        "checkpoint-interval" => "检查点间隔",
        "guard-response" => "守卫处置方式",
        "alert-comment-required" => "确认警报须填意见",
        "guard-heartbeat-minutes" => "守卫心跳间隔（分钟）",
        "network-ignore" => "守卫忽略的网络接口",
        "guard-unknown-level" => "未知副本封存密级",
        "unregistered-media" => "未登记介质的处置",
        "unregistered-media-exports" => "向未登记介质导出",
        "cloud-override-below" => "云同步文件夹例外导出的密级上限（不含）",
        "cloud-marking-patterns" => "本单位密级标识",
        "transfer-offer-hours" => "移交邀约有效期（小时）",
        "retention-days-unclassified" => "公开级默认保存天数",
        "retention-days-internal" => "内部级默认保存天数",
        "retention-days-confidential" => "秘密级默认保存天数",
        "retention-days-secret" => "机密级默认保存天数",
        "retention-days-top-secret" => "绝密级默认保存天数",
        "certificate-organization" => "销毁证明署名单位",
        "certificate-location" => "销毁证明地点",
        "certificate-titles" => "销毁证明人员职务",
        other => return other.to_string(),
    };
    zh.to_string()
}

/// A yes/no value in words.
pub fn flag(value: bool, lang: Lang) -> &'static str {
    match (value, lang) {
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
        (true, Lang::Zh) => "是",
        (false, Lang::Zh) => "否",
    }
}

/// A policy switch's or choice's stored value (`yes`, `alert`, `block` …) in Chinese.
fn switch(value: &str) -> Option<String> {
    Some(
        match value {
            "yes" => "是",
            "no" => "否",
            "alert" => "告警",
            "quarantine" => "隔离",
            "block" => "阻断",
            "allow" => "允许",
            "refuse" => "拒绝",
            _ => return None,
        }
        .to_string(),
    )
}

/// The reasons the station itself writes (not those people type), in Chinese.
fn station_reason(value: &str) -> Option<&'static str> {
    Some(match value {
        "wrong password" => "密码错误",
        "wrong password or unknown user" => "密码错误或用户不存在",
        "wrong password as witness" => "见证人密码错误",
        "witness: unknown user" => "见证人不存在",
        "wrong password at directory rebuild" => "重建目录时密码错误",
        "directory rebuild: unknown user" => "重建目录时用户不存在",
        "the exporting process died" => "导出进程意外终止",
        _ => return None,
    })
}

/// A ledger or custody finding in Chinese.
fn finding(value: &str) -> Option<&'static str> {
    Some(match value {
        "edited" => "被修改",
        "removed" => "被删除",
        "inserted" => "被插入",
        "reordered" => "顺序被改",
        "truncated" => "被截断",
        "bad-signature" => "签名无效",
        "inconsistent" => "不一致",
        "column-mismatch" => "列值不符",
        "retired-key" => "已停用密钥",
        "key-change" => "密钥变更",
        "destroyed_by_another" => "已由他人销毁",
        "new_interface" => "新网络接口",
        "medium_while_networked" => "联网时挂载介质",
        "network_while_medium" => "挂载介质时联网",
        "directory_rolled_back" => "目录被回滚",
        "directory_refused" => "目录验证失败",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_fixed_values_read_in_chinese_and_typed_text_stays() {
        assert_eq!(key("control_number", Lang::Zh), "编号");
        assert_eq!(key("control_number", Lang::En), "control number");
        assert_eq!(text("clearance", "top-secret", Lang::Zh), "绝密");
        assert_eq!(text("category", "point-cloud", Lang::Zh), "点云");
        assert_eq!(text("kind", "destroy", Lang::Zh), "销毁");
        assert_eq!(text("reason", "wrong password", Lang::Zh), "密码错误");
        assert_eq!(text("reason", "superseded survey", Lang::Zh), "superseded survey");
        assert_eq!(text("setting", "lockout-attempts", Lang::En), "lockout-attempts");
        assert!(text("setting", "lockout-attempts", Lang::Zh).contains("锁定"));
        // Every policy setting has a short name in Chinese.
        for setting in strongroom::accounts::settings::SETTINGS {
            assert!(
                subject(setting.name, Lang::Zh).chars().any(|c| c > '\u{2e80}'),
                "{}",
                setting.name
            );
        }
        assert_eq!(text("new", "quarantine", Lang::Zh), "隔离");
    }
}
