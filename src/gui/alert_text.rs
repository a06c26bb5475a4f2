//! An alert's finding and next steps in the app's languages: the library gives typed values
//! ([`Finding`], [`NextStep`]); the words, in English and Chinese, are the app's.

use strongroom::ledger::alert::{Finding, NextStep};

use super::i18n::{Lang, Text};

/// What happened, in `lang`.
pub fn finding(finding: &Finding, lang: Lang) -> String {
    if lang == Lang::En {
        return finding.to_string();
    }
    match finding {
        Finding::Lockout {
            user,
            failures,
            waits_minutes: None,
        } => format!("{user} 连续 {failures} 次登录失败，账户已锁定"),
        Finding::Lockout {
            user,
            failures,
            waits_minutes: Some(minutes),
        } => format!("{user}（最后一名安全保密员）连续 {failures} 次登录失败，须等待 {minutes} 分钟"),
        Finding::RecoveryUsed { user } => format!("恢复码已用于为 {user} 设置新密码"),
        Finding::RecoveryReissued { by, reason } => format!("{by} 签发了新的恢复码（{reason}）"),
        Finding::DestroyedByAnother {
            control_number,
            custodian,
            destroyed_by,
        } => format!("{destroyed_by} 销毁了由 {custodian} 保管的 {control_number}"),
        Finding::LeftoverKept {
            path: Some(path),
            reason,
        } => format!("{path} 处的遗留文件已保留：{reason}"),
        Finding::LeftoverKept { path: None, reason } => format!("遗留文件已保留：{reason}"),
        Finding::UnaccountedEvents { count, first } => match first {
            Some(first) => format!("{count} 条事件并非由任何会话写入，始于序号 {first}"),
            None => format!("{count} 条事件并非由任何会话写入"),
        },
        Finding::NewInterface { interface } => format!("物理隔离的工作站上出现了新的网络接口 {interface}"),
        Finding::MediumWhileNetworked { medium } => format!("工作站联网时挂载了移动介质 {medium}"),
        Finding::NetworkWhileMedium => "挂载移动介质期间工作站联网了".to_string(),
        Finding::DirectoryDistrusted { why } => format!("守卫不信任已签名目录：{why}"),
        Finding::CopyWhileNetworked { medium, directory, .. } => {
            format!("工作站联网时，移动介质 {medium} 上的文件被复制到了 {directory}")
        }
        Finding::VaultMaterial { item, directory } => format!(
            "在 {directory} 发现了保险库条目 {} 的内容，该处并非任何导出的目标",
            item.as_deref().unwrap_or("（未知）")
        ),
        Finding::CloudMaterial {
            item,
            provider,
            directory,
            ..
        } => format!(
            "在 {provider} 同步或共享的文件夹 {directory} 中发现了保险库条目 {} 的内容",
            item.as_deref().unwrap_or("（未知）")
        ),
        Finding::CloudMarking {
            marking,
            provider,
            directory,
            ..
        } => format!("在 {provider} 同步或共享的文件夹 {directory} 中发现了标有“{marking}”的文件"),
        Finding::UnregisteredMedium { medium, why, response } => {
            let done = match response.as_str() {
                "blocked" => "；已阻断该外接设备",
                "not_usb" => "；该介质不是可阻断的外接设备，未能阻断",
                "block_failed" => "；阻断该外接设备失败",
                _ => "",
            };
            format!("挂载了未登记的移动介质 {medium}：{why}{done}")
        }
        Finding::Other => "请查看该事件的详情".to_string(),
    }
}

/// One next step, in `lang`.
pub fn step(step: NextStep, lang: Lang) -> &'static str {
    let text = match step {
        NextStep::CheckWithThePerson => Text::StepCheckWithThePerson,
        NextStep::UnlockTheAccount => Text::StepUnlockTheAccount,
        NextStep::ReissueTheRecoveryCode => Text::StepReissueTheRecoveryCode,
        NextStep::SecureTheNewCode => Text::StepSecureTheNewCode,
        NextStep::ReviewTheDestruction => Text::StepReviewTheDestruction,
        NextStep::InspectTheLeftover => Text::StepInspectTheLeftover,
        NextStep::VerifyTheLedger => Text::StepVerifyTheLedger,
        NextStep::FindTheMaterial => Text::StepFindTheMaterial,
        NextStep::CheckWhatSynced => Text::StepCheckWhatSynced,
        NextStep::RemoveTheNetworkDevice => Text::StepRemoveTheNetworkDevice,
        NextStep::CheckTheMedium => Text::StepCheckTheMedium,
        NextStep::Acknowledge => Text::StepAcknowledge,
    };
    text.get(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_finding_reads_in_chinese_with_its_names() {
        let findings = [
            Finding::Lockout {
                user: "bob".into(),
                failures: 5,
                waits_minutes: None,
            },
            Finding::Lockout {
                user: "alice".into(),
                failures: 5,
                waits_minutes: Some(60),
            },
            Finding::RecoveryUsed { user: "bob".into() },
            Finding::RecoveryReissued {
                by: "alice".into(),
                reason: "r".into(),
            },
            Finding::DestroyedByAnother {
                control_number: "SR-2026-000001".into(),
                custodian: "bob".into(),
                destroyed_by: "alice".into(),
            },
            Finding::LeftoverKept {
                path: Some("/x".into()),
                reason: "r".into(),
            },
            Finding::UnaccountedEvents {
                count: 2,
                first: Some(9),
            },
            Finding::NewInterface {
                interface: "wwan0".into(),
            },
            Finding::MediumWhileNetworked { medium: "STICK".into() },
            Finding::NetworkWhileMedium,
            Finding::DirectoryDistrusted { why: "x".into() },
            Finding::CopyWhileNetworked {
                medium: "STICK".into(),
                directory: "/home/alice".into(),
                quarantine: None,
            },
            Finding::VaultMaterial {
                item: Some("SR-2026-000001".into()),
                directory: "/home/alice/Desktop".into(),
            },
            Finding::CloudMaterial {
                item: Some("SR-2026-000001".into()),
                provider: "Dropbox".into(),
                directory: "/home/alice/Dropbox".into(),
                quarantine: None,
            },
            Finding::CloudMarking {
                marking: "SECRET".into(),
                provider: "Syncthing".into(),
                directory: "/home/alice/Sync".into(),
                quarantine: Some("00".repeat(16)),
            },
            Finding::UnregisteredMedium {
                medium: "STICK".into(),
                why: "it carries no register marker".into(),
                response: "blocked".into(),
            },
            Finding::Other,
        ];
        for f in &findings {
            let (en, zh) = (finding(f, Lang::En), finding(f, Lang::Zh));
            assert_ne!(en, zh);
            assert!(zh.chars().any(|c| c > '\u{2e80}'), "{zh}");
        }
    }
}
