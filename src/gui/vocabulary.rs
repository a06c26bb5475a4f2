//! The station's own words (roles, categories, statuses, request kinds and ledger actions)
//! in the app's languages. The stable names stay what the ledger and the CLI use; the app
//! shows these, with the stable name on hover where a person may need it.

use strongroom::accounts::requests::RequestKind;
use strongroom::accounts::{Role, UserStatus};
use strongroom::vault::{Category, ItemStatus};

use super::i18n::Lang;

/// A role.
pub fn role(role: Role, lang: Lang) -> &'static str {
    match (role, lang) {
        (Role::Officer, Lang::En) => "security officer",
        (Role::Officer, Lang::Zh) => "安全保密员",
        (Role::Operator, Lang::En) => "operator",
        (Role::Operator, Lang::Zh) => "操作员",
    }
}

/// A category of item.
pub fn category(category: Category, lang: Lang) -> &'static str {
    if lang == Lang::En {
        return category.as_str();
    }
    match category {
        Category::Raster => "栅格影像",
        Category::Vector => "矢量数据",
        Category::PointCloud => "点云",
        Category::Photo => "照片",
        Category::Document => "文档",
        Category::Archive => "压缩包",
        Category::Other => "其他",
    }
}

/// An item's status.
pub fn item_status(status: ItemStatus, lang: Lang) -> &'static str {
    match (status, lang) {
        (_, Lang::En) => status.as_str(),
        (ItemStatus::Pending, Lang::Zh) => "导入中",
        (ItemStatus::Active, Lang::Zh) => "在库",
        (ItemStatus::Destroyed, Lang::Zh) => "已销毁",
    }
}

/// An account's status.
pub fn user_status(status: UserStatus, lang: Lang) -> &'static str {
    match (status, lang) {
        (_, Lang::En) => status.as_str(),
        (UserStatus::Active, Lang::Zh) => "启用",
        (UserStatus::Disabled, Lang::Zh) => "停用",
    }
}

/// What a two-person request asks for.
pub fn request_kind(kind: RequestKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (_, Lang::En) => kind.as_str(),
        (RequestKind::Destroy, Lang::Zh) => "销毁",
        (RequestKind::Downgrade, Lang::Zh) => "降密",
        (RequestKind::ExportRemovable, Lang::Zh) => "导出到移动介质",
    }
}

/// A ledger action (`item.import`): in Chinese, what it records; an action this version
/// does not know is shown as it is.
pub fn action(action: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return action.to_string();
    }
    let zh = match action {
        "station.init" => "创建工作站",
        "user.create" => "新建用户",
        "auth.login" => "登录",
        "auth.login_failed" => "登录失败",
        "user.password_change" => "修改密码",
        "user.recover" => "使用恢复码",
        "item.import" => "入库",
        "item.import_aborted" => "入库中止",
        "item.export" => "导出",
        "item.export_aborted" => "导出中止",
        "ledger.verify" => "校验账本",
        "ledger.epoch" => "开启新纪元",
        "auth.lockout" => "账户锁定",
        "auth.idle_lock" => "空闲锁定",
        "user.disable" => "停用用户",
        "user.enable" => "启用用户",
        "user.unlock" => "解锁用户",
        "user.reset" => "重置密码",
        "user.clearance" => "更改涉密等级",
        "user.role" => "更改角色",
        "key.rotate" => "更换密钥",
        "policy.change" => "修改策略",
        "request.create" => "提交请求",
        "request.approve" => "批准请求",
        "request.deny" => "驳回请求",
        "item.destroy" => "销毁",
        "item.reclassify" => "变更密级",
        "alert.acknowledge" => "确认警报",
        "sweep.alert" => "清理警报",
        "directory.rebuild" => "重建目录",
        "ledger.alert" => "账本警报",
        "custody.alert" => "保管警报",
        "recovery.reissue" => "重发恢复码",
        "guard.enable" => "启用守卫",
        "guard.disable" => "停用守卫",
        "guard.start" => "守卫启动",
        "guard.heartbeat" => "守卫心跳",
        "guard.alert" => "守卫警报",
        "network.change" => "网络状态变化",
        "media.mount" => "挂载移动介质",
        "media.unmount" => "卸载移动介质",
        "guard.copy" => "从移动介质复制",
        "guard.copy.alert" => "联网时从移动介质复制",
        "quarantine.release" => "隔离文件放行入库",
        "quarantine.destroy" => "销毁隔离文件",
        "media.register" => "登记介质",
        "media.issue" => "发放介质",
        "media.return" => "收回介质",
        "media.retire" => "停用介质",
        "media.destroy" => "销毁介质",
        "item.raise" => "提升密级",
        "custody.offer" => "提出移交",
        "custody.accept" => "接受移交",
        "custody.decline" => "拒绝或撤回移交",
        "custody.reassign" => "改派保管人",
        "custody.retention" => "设定保存期限",
        "custody.refused" => "保管操作被拒",
        "inventory.audit" => "库存清点",
        "cloud.override" => "云同步文件夹例外",
        "cloud.exposure" => "自云同步文件夹导入",
        "cloud.client" => "同步客户端运行中",
        "cloud.material.alert" => "云同步文件夹中发现库内材料",
        "cloud.marking.alert" => "云同步文件夹中发现带密级标识的文件",
        other => return other.to_string(),
    };
    zh.to_string()
}

/// The rule that refused something, in words (`export-policy` is "export policy"); a rule
/// this version does not know is shown by its name.
pub fn rule(rule: &str, lang: Lang) -> String {
    let words = match (rule, lang) {
        (_, Lang::En) => return rule.replace('-', " "),
        ("clearance", _) => "涉密等级",
        ("two-person", _) => "双人控制",
        ("inside-vault", _) => "不得导入保险库自身",
        ("vault-permissions", _) => "保险库权限",
        ("pinned-key", _) => "已固定的密钥",
        ("password-policy", _) => "密码策略",
        ("vault-location", _) => "保险库位置",
        ("separation-of-duties", _) => "职责分离",
        ("role", _) => "角色",
        ("request-state", _) => "请求状态",
        ("last-officer", _) => "最后一名安全保密员",
        ("last-holder", _) => "最后一名持有人",
        ("export-policy", _) => "导出策略",
        ("symlink-escape", _) => "符号链接越界",
        ("export-reason", _) => "导出原因",
        ("custodian", _) => "保管人",
        ("alert-comment", _) => "警报确认意见",
        ("guard-state", _) => "守卫状态文件",
        ("guard-root", _) => "须以 root 身份运行",
        ("guard-not-enabled", _) => "守卫未启用",
        ("guard-retired", _) => "守卫密钥已停用",
        ("one-guard", _) => "每个保险库只运行一个守卫",
        ("disabled", _) => "账户已停用",
        ("unknown-user", _) => "无此用户",
        ("no-offer", _) => "没有待接受的移交",
        ("not-yours", _) => "移交对象不是您",
        ("destroyed", _) => "条目已销毁",
        (other, _) => return other.to_string(),
    };
    words.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use strongroom::ledger::Action;

    /// Every action the ledger can hold, every category and status has Chinese words of
    /// its own.
    #[test]
    fn every_word_of_the_station_reads_in_chinese() {
        let chinese = |text: &str| text.chars().any(|c| c > '\u{2e80}');
        for a in Action::ALL {
            assert!(chinese(&action(a.as_str(), Lang::Zh)), "{}", a.as_str());
            assert_eq!(action(a.as_str(), Lang::En), a.as_str());
        }
        for c in Category::ALL {
            assert!(chinese(category(*c, Lang::Zh)), "{}", c.as_str());
        }
        for s in [ItemStatus::Pending, ItemStatus::Active, ItemStatus::Destroyed] {
            assert!(chinese(item_status(s, Lang::Zh)));
        }
        for s in [UserStatus::Active, UserStatus::Disabled] {
            assert!(chinese(user_status(s, Lang::Zh)));
        }
        for r in [Role::Officer, Role::Operator] {
            assert!(chinese(role(r, Lang::Zh)));
        }
        for k in [
            RequestKind::Destroy,
            RequestKind::Downgrade,
            RequestKind::ExportRemovable,
        ] {
            assert!(chinese(request_kind(k, Lang::Zh)));
        }
        assert_eq!(action("cloud.alert", Lang::Zh), "cloud.alert");
        // Every rule the library refuses with has words.
        for r in [
            "clearance",
            "two-person",
            "inside-vault",
            "vault-permissions",
            "pinned-key",
            "password-policy",
            "vault-location",
            "separation-of-duties",
            "role",
            "request-state",
            "last-officer",
            "last-holder",
            "export-policy",
            "symlink-escape",
            "export-reason",
            "custodian",
            "alert-comment",
            "guard-state",
            "guard-root",
            "guard-not-enabled",
            "guard-retired",
            "one-guard",
            "disabled",
            "unknown-user",
            "no-offer",
            "not-yours",
            "destroyed",
        ] {
            assert!(chinese(&rule(r, Lang::Zh)), "{r}");
        }
    }
}
