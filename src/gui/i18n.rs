//! Every string the desktop app shows, in English and Simplified Chinese, from one table.
//!
//! The table is a macro so a key cannot exist in one language only: each entry names both
//! texts, and `Text` is generated from it. Screens never hold literal user-facing strings.

/// The app's languages, switchable at runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

macro_rules! texts {
    ($($key:ident => $en:literal, $zh:literal;)*) => {
        /// A user-facing string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Text { $($key,)* }

        impl Text {
            /// Every key, for the completeness test.
            #[cfg(test)]
            pub const ALL: &'static [Text] = &[$(Text::$key,)*];

            /// The text in `lang`.
            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Text::$key, Lang::En) => $en, (Text::$key, Lang::Zh) => $zh,)*
                }
            }
        }
    };
}

texts! {
    AppTitle => "Strongroom", "保密室";
    Unavailable => "The vault cannot be opened; see the message, then restart the app.", "无法打开保密库；请查看提示后重新启动程序。";
    Language => "中文", "English";
    ThemeDark => "Dark", "深色";
    ThemeLight => "Light", "浅色";
    // First run.
    SetupHeading => "Create a vault", "创建保密库";
    SetupIntro => "This station has no vault yet. Create one with its first security officer.", "本工作站尚无保密库。请创建保密库及首位安全员账户。";
    VaultLocation => "Vault location", "保密库位置";
    OfficerName => "Security officer's user name", "安全员用户名";
    NewPassword => "New password (at least 12 characters)", "新密码（至少 12 个字符）";
    RepeatPassword => "Repeat the password", "再次输入密码";
    CreateVault => "Create vault", "创建保密库";
    Calibrating => "Creating the vault and calibrating key derivation…", "正在创建保密库并校准密钥派生……";
    PasswordsDiffer => "The two passwords differ.", "两次输入的密码不一致。";
    RecoveryHeading => "Recovery code — shown once", "恢复码——仅显示一次";
    RecoveryIntro => "Write this code down and keep it in the safe. It is the only way back if every officer password is lost.", "请抄下此恢复码并存放于保险柜。所有安全员密码丢失时，这是唯一的恢复途径。";
    RecoveryConfirm => "Type the last group of the code to confirm", "输入恢复码的最后一组以确认";
    RecoveryDone => "I have written it down", "我已抄写";
    RecoveryMismatch => "That is not the last group of the code.", "与恢复码的最后一组不符。";
    // Unlock.
    UnlockHeading => "Sign in", "登录";
    UserName => "User name", "用户名";
    Password => "Password", "密码";
    Unlock => "Unlock", "解锁";
    Lock => "Lock", "锁定";
    LockedIdle => "The station locked itself after being idle.", "工作站空闲超时，已自动锁定。";
    SignedInAs => "Signed in as", "当前用户";
    MustChange => "You must choose a new password before anything else", "请先设置新密码";
    CurrentPassword => "Current password", "当前密码";
    ChangePassword => "Change password", "修改密码";
    // Vault browser.
    Vault => "Vault", "保密库";
    Filter => "Filter", "筛选";
    AnyLevel => "Any level", "全部密级";
    AnyCategory => "Any category", "全部类别";
    ControlNumber => "Control number", "编号";
    Title => "Title", "标题";
    Level => "Level", "密级";
    Category => "Category", "类别";
    Size => "Size", "大小";
    Custodian => "Custodian", "保管人";
    Status => "Status", "状态";
    Created => "Imported", "入库时间";
    ItemsShown => "items shown", "项";
    NoItemMatches => "No item matches the filter.", "没有符合筛选条件的条目。";
    ExportReason => "Why it is exported (recorded)", "导出事由（记入台账）";
    ItemsWithheld => "item rows not shown: they disagree with the custody ledger (changed outside Strongroom). A security officer can verify the ledger.", "个条目未显示：其记录与保管台账不符（在 Strongroom 之外被修改），请安全保密员校验账本。";
    NoItems => "No items you are cleared to see.", "没有您有权查看的项目。";
    ImportFirst => "Go to import", "前往导入";
    EmptyVault => "Import files to begin, or drop them on this window.", "请导入文件开始使用，或将文件拖放到此窗口。";
    // Import.
    Import => "Import…", "导入……";
    ImportHeading => "Import into the vault", "导入保密库";
    AddFiles => "Add files…", "添加文件……";
    AddFolder => "Add folder…", "添加文件夹……";
    PathField => "Or type a path", "或输入路径";
    AddPath => "Add", "添加";
    DropHint => "Drop files or folders here", "将文件或文件夹拖放到此处";
    ChooseLevel => "Choose a level", "请选择密级";
    Notes => "Notes", "备注";
    StartImport => "Import", "导入";
    Cancel => "Cancel", "取消";
    LevelRequired => "Choose a level: there is no default.", "请选择密级：没有默认值。";
    NothingToImport => "Add at least one file or folder.", "请至少添加一个文件或文件夹。";
    ImportedItems => "Imported", "已导入";
    // Errors: what happened.
    ErrWrongPassword => "Wrong password or unknown user", "密码错误或用户不存在";
    ErrDisabled => "The account is disabled", "该账户已停用";
    ErrSessionOutOfDate => "Keys or accounts changed since you signed in; nothing was written", "登录后密钥或账户已变更，未写入任何内容";
    ErrPasswordChange => "Choose your own password first", "请先设置您自己的密码";
    ErrTampered => "Stored data failed its integrity check", "存储的数据未通过完整性校验";
    ErrIntegrity => "Stored key material or records do not verify", "存储的密钥材料或记录校验失败";
    ErrLedgerDamaged => "The custody ledger is damaged", "保管账本已损坏";
    ErrFile => "A file could not be used", "无法使用该文件";
    ErrNoVault => "There is no vault in this directory", "此目录中没有保密库";
    ErrExists => "The destination already exists", "目标已存在";
    ErrSymlink => "The path is a symbolic link", "该路径是符号链接";
    ErrCorruptDatabase => "The vault database is damaged; it was left untouched", "保密库数据库已损坏，未作任何改动";
    ErrSchemaTooNew => "A newer Strongroom wrote this vault", "该保密库由较新版本的 Strongroom 写入";
    ErrDatabase => "The vault database could not be used", "无法使用保密库数据库";
    ErrInvalidInput => "This cannot be used as given", "所给内容无法使用";
    ErrNotFound => "Not found, or not visible to you", "未找到，或您无权查看";
    ErrNotUnlocked => "The station is locked", "工作站已锁定";
    // Errors: what to do.
    AdviceRetype => "Type the user name and password again; each wrong try counts toward a lockout.", "请重新输入用户名和密码；每次错误都计入锁定次数。";
    AdviceOfficerUnlocks => "Ask a security officer to unlock the account (Users screen).", "请安全保密员在“用户”页面解锁该账户。";
    AdviceOfficerEnables => "Ask a security officer to enable the account again (Users screen).", "请安全保密员在“用户”页面重新启用该账户。";
    AdviceRecoveryCode => "Or recover the account with the station's recovery code.", "或使用本工作站的恢复码恢复该账户。";
    AdviceWait => "Wait, then sign in again.", "请等待后再登录。";
    AdviceSignInAgain => "Sign in again.", "请重新登录。";
    AdviceChangePassword => "Choose a new password of your own now.", "请立即设置您自己的新密码。";
    AdviceApproval => "Once a security officer approves the request, do this again; or have an officer witness it now.", "安全保密员批准请求后请再次操作；或请安全保密员现场见证。";
    AdviceRule => "The station's rules do not allow this; a security officer can explain them or change the policy.", "工作站规则不允许此操作；安全保密员可解释规则或修改策略。";
    AdviceTampered => "Nothing was written out. Tell a security officer: the vault was changed outside Strongroom.", "未输出任何内容。请告知安全保密员：保密库在 Strongroom 之外被改动。";
    AdviceVerifyLedger => "A security officer verifies the ledger (Custody ledger screen) to find where it is damaged.", "请安全保密员在“保管账本”页面校验账本，找出损坏位置。";
    AdviceStartEpoch => "A security officer looks at the damage and starts a new epoch; nothing is signed until then.", "请安全保密员检查损坏后开启新纪元；在此之前不会签署任何内容。";
    AdviceIo => "Check that the file or folder exists, is readable and has room, then try again.", "请确认文件或文件夹存在、可读且空间充足，然后重试。";
    AdviceNoVault => "Choose the vault's directory, or create a vault there.", "请选择保密库所在目录，或在该处新建保密库。";
    AdviceOtherName => "Choose another name or folder; nothing is overwritten.", "请另选文件名或文件夹；不会覆盖已有内容。";
    AdviceSymlink => "Choose the file it points to instead.", "请改为选择链接指向的文件。";
    AdviceRestoreBackup => "Restore the vault from a backup; the damaged file is kept as it is.", "请从备份恢复保密库；已损坏的文件保持原样。";
    AdviceUpgrade => "Open it with the newer Strongroom.", "请使用较新版本的 Strongroom 打开。";
    AdviceRetryLater => "Try again; if it persists, tell a security officer.", "请重试；如仍失败，请告知安全保密员。";
    AdviceCheckInput => "Check what was entered and try again.", "请检查输入内容后重试。";
    AdviceNotFound => "Check the control number or name.", "请检查编号或名称。";
    AdviceCancelled => "Nothing was kept; start it again when ready.", "未保留任何内容；准备好后可重新开始。";
    Details => "Details", "详情";
    DetailsInEnglish => "Details (English)", "技术详情（英文原文）";
    ReplaceFile => "Replace the file", "替换该文件";
    SessionLocked => "Session locked", "会话已锁定";
    CancelledKept => "Cancelled; imported before the cancel and kept", "已取消；取消前已导入并保留";
    FilesCount => "files", "个文件";
    ConfirmExportTitle => "Export in plaintext?", "以明文导出？";
    ConfirmExportItem => "Item", "条目";
    ConfirmExportTo => "To", "导出到";
    ConfirmExportWarning => "The file will be written there unencrypted, and the export is recorded in the custody ledger.", "文件将以未加密形式写入该位置，导出记入保管账本。";
    UseRecoveryCodeButton => "Use the recovery code", "使用恢复码";
    AddWitnessButton => "Sign in a witness now", "现在由见证人登录";
    SignInAgainButton => "Sign in again", "重新登录";
    OpenLedgerButton => "Open the custody ledger", "打开保管账本";
    NoEvents => "No events match the filter.", "没有符合筛选条件的事件。";
    // Recovery at sign-in.
    RecoverHeading => "Forgot the password, or locked out? Use the recovery code", "忘记密码或账户被锁定？使用恢复码";
    RecoverHelp => "Gives the user named above a new password. Security officers are alerted.", "为上方填写的用户设置新密码，安全保密员会收到警报。";
    RecoveryCodeField => "Recovery code", "恢复码";
    RecoverButton => "Recover the account", "恢复账户";
    Recovered => "Recovered; sign in with the new password", "已恢复，请用新密码登录";
    SigningStopped => "Ledger: not signing (damaged)", "账本：已停止签署（已损坏）";
    // Alerts: what to do next.
    NextSteps => "What to do", "处理步骤";
    CommentOptional => "Comment (optional)", "说明（可选）";
    CommentRequired => "A comment is required by policy", "按策略必须填写说明";
    StepCheckWithThePerson => "Check with the person concerned that it was them", "与当事人核实是否为其本人操作";
    StepUnlockTheAccount => "Unlock the account once that is clear", "核实后解锁该账户";
    StepReissueTheRecoveryCode => "Issue a new recovery code (the used one may have been seen)", "签发新的恢复码（已用过的恢复码可能已被他人看到）";
    StepSecureTheNewCode => "Make sure the new code is written down and locked away", "确认新恢复码已抄写并妥善封存";
    StepReviewTheDestruction => "Review the destruction with the item's custodian", "与该物品的保管人复核此次销毁";
    StepInspectTheLeftover => "Inspect the kept file; remove it by hand if it is safe", "检查被保留的文件，确认安全后手动删除";
    StepVerifyTheLedger => "Verify the custody ledger and look at the events named", "校验保管账本并检查所列事件";
    StepAcknowledge => "Acknowledge the alert once it is understood", "查明情况后确认该警报";
    StepRemoveTheNetworkDevice => "Find the device that brought the network (modem, phone, dongle) and remove it", "找到带来网络连接的设备（调制解调器、手机、无线网卡）并将其移除";
    StepFindTheMaterial => "Find the plaintext copy, learn how it got there, and remove it", "找到该明文副本，查明其来源后删除";
    StepCheckWhatSynced => "Learn from the sync client's or the share's history whether the file left the machine; report a spill if it did", "根据同步客户端或共享的记录查明文件是否已离开本机；如已离开，按泄密事件上报";
    StepCheckTheMedium => "Find out who mounted the medium and what was copied", "查明是谁挂载了该介质以及复制了什么";
    NotImported => "Not imported", "未导入";
    Jobs => "Jobs", "任务";
    ClearFinished => "Clear finished", "清除已完成";
    HideJobs => "Hide", "收起";
    ShowJobs => "Show", "展开";
    Running => "running", "进行中";
    Queued => "queued", "排队中";
    Done => "done", "完成";
    Cancelled => "cancelled; nothing was kept", "已取消，未保留任何内容";
    Failed => "failed", "失败";
    Remaining => "left", "剩余";
    // Item detail.
    OriginalName => "Original name", "原文件名";
    Sha256 => "SHA-256", "SHA-256";
    Timeline => "Custody timeline", "保管记录";
    Time => "Time", "时间";
    Actor => "User", "用户";
    Action => "Action", "操作";
    ExportTo => "Export to", "导出到";
    Choose => "Choose…", "选择……";
    StartExport => "Export", "导出";
    Back => "Back", "返回";
    Reason => "Reason (recorded)", "原因（将记录）";
    Witness => "Witness (an officer)", "见证人（安全员）";
    WitnessPassword => "Witness's password", "见证人密码";
    TwoPersonHint => "At or above the two-person level, name a witness, or a request is sent for approval.", "达到双人规则密级时，请指定见证人，否则将提交审批请求。";
    DestroyItem => "Destroy", "销毁";
    DowngradeTo => "Lower level to", "降低密级至";
    DowngradeItem => "Lower level", "降低密级";
    OfficersOnly => "Only a security officer can do this", "仅安全员可执行此操作";
    NeedReason => "Give a reason first", "请先填写原因";
    // Officer screens.
    Ledger => "Custody ledger", "保管账本";
    Verify => "Verify ledger", "校验账本";
    LedgerOk => "The ledger verifies: every event, root and signature checks out.", "账本校验通过：所有事件、根哈希和签名均正确。";
    LedgerBad => "LEDGER VERIFICATION FAILED — first bad event", "账本校验失败——首个异常事件";
    ItemsDisagree => "ITEM ROWS DISAGREE WITH THE CUSTODY LEDGER — changed outside Strongroom", "条目记录与保管台账不符——在 Strongroom 之外被修改";
    Since => "From (UTC)", "起始时间（UTC）";
    ByItem => "About item", "相关项目";
    ByActor => "By user", "操作用户";
    ByAction => "Of action", "操作类型";
    Until => "Until (UTC)", "截止时间（UTC）";
    Search => "Search", "查询";
    Seq => "Seq", "序号";
    Subject => "Subject", "对象";
    BundleDir => "Audit bundle directory", "审计包目录";
    ExportBundle => "Write audit bundle", "导出审计包";
    VerifyBundle => "Self-check a bundle", "自检审计包";
    BundleOk => "Self-check passed against this station's key", "已用本工作站密钥自检通过";
    NotAnAudit => "This is not an audit: an auditor verifies the bundle on another machine.", "此为自检而非审计：审计员应在另一台机器上校验审计包。";
    BundleArchive => "An archive: its newest checkpoint was accepted on this machine before.", "存档：其最新检查点此前已在本机接受。";
    BundleWritten => "Audit bundle written", "审计包已导出";
    Destroyed => "Destroyed", "已销毁";
    Downgraded => "Level lowered", "已降低密级";
    UserAdded => "User added; they choose their own password at first sign-in", "已添加用户，其首次登录时须自行设置密码";
    UserDisabled => "User disabled", "已停用用户";
    UserEnabled => "User enabled (and unlocked)", "已启用（并解锁）用户";
    UserReset => "Password reset; the user must change it at sign-in", "已重置密码，该用户登录时须更改";
    UserClearanceSet => "Clearance changed", "已更改涉密等级";
    PolicySaved => "Policy saved", "策略已保存";
    BundleBad => "BUNDLE VERIFICATION FAILED", "审计包校验失败";
    Users => "Users", "用户";
    Requests => "Approvals", "审批";
    Alerts => "Alerts", "警报";
    NoAlerts => "No open alerts.", "没有未处理的警报。";
    Comment => "Comment", "处理意见";
    Acknowledge => "Acknowledge", "确认处理";
    RowSays => "row:", "记录：";
    HistorySays => "custody history:", "保管历史：";
    OfficersAcknowledge => "A security officer acknowledges alerts.", "警报由安全保密员确认处理。";
    Policy => "Policy", "策略";
    Role => "Role", "角色";
    Clearance => "Clearance", "许可密级";
    Approve => "Approve", "批准";
    Deny => "Deny", "拒绝";
    NoRequests => "No pending requests.", "没有待审批的请求。";
    AddUser => "Add user", "添加用户";
    NewUserName => "New user's name", "新用户名";
    IsOfficer => "Security officer", "安全员";
    Account => "Account", "账户";
    DisableUser => "Disable", "停用";
    EnableUser => "Enable / unlock", "启用／解锁";
    TemporaryPassword => "Temporary password", "临时密码";
    ResetPassword => "Reset password", "重置密码";
    SetClearance => "Set clearance", "设置许可密级";
    LockedTag => "locked", "已锁定";
    EventsCount => "events", "条事件";
    CheckpointsCount => "checkpoints", "个检查点";
    ChooseDestination => "Choose where the file goes first", "请先选择导出位置";
    Save => "Save", "保存";
    // Status strip.
    Network => "Network", "网络";
    Media => "Removable media", "移动介质";
    CloudSync => "Cloud sync", "云同步";
    NoSyncedFolders => "none found", "未发现";
    SyncedFolders => "synced folders", "个同步文件夹";
    SyncedFolder => "synced folder", "个同步文件夹";
    ClientsRunning => "running", "正在运行";
    CloudFolders => "Cloud-synced and network folders", "云同步与网络文件夹";
    CloudRule => "Nothing from the vault goes into these folders: their contents leave this machine.", "保险库中的任何内容都不得放入这些文件夹：其内容会离开本机。";
    NoSyncedFoldersFound => "No cloud-synced or network folder was found.", "未发现云同步或网络文件夹。";
    ClientRunning => "client running", "客户端正在运行";
    ClientNotRunning => "client not running", "客户端未运行";
    FolderMissing => "(missing now)", "（当前不存在）";
    SyncClientsRunning => "Sync clients running", "正在运行的同步客户端";
    Guard => "Guard", "防护";
    NotMonitored => "not monitored", "未监控";
    AirGapped => "AIR-GAPPED", "物理隔离";
    Networked => "NETWORKED", "已联网";
    NoMedia => "none mounted", "未挂载";
    MediaMounted => "mounted", "已挂载";
    GuardRunning => "running", "运行中";
    GuardNotRunning => "NOT running", "未运行";
    GuardNotEnabled => "not enabled", "未启用";
    GuardLate => "no heartbeat since", "心跳中断，自";
    GuardSince => "since", "始于";
    NewInterfaceNotice => "New network interface", "出现新的网络接口";
    MediumWhileNetworkedNotice => "Medium mounted while networked", "联网时挂载了移动介质";
    NetworkWhileMediumNotice => "Network came up while a medium is mounted", "挂载介质期间网络已接通";
    MediumMountedNotice => "Medium mounted", "移动介质已挂载";
    MediumRemovedNotice => "Medium removed", "移动介质已移除";
    VaultMaterialNotice => "Vault material found outside the vault", "在保险库外发现库内资料";
    SyncedFolderNotice => "Classified material found in a synced folder", "在云同步文件夹中发现涉密材料";
    UnregisteredMediumNotice => "Unregistered medium mounted", "挂载了未登记的介质";
    CopiedNotice => "File copied from removable medium", "发现从移动介质复制的文件";
    DirectoryDistrustedNotice => "The guard does not trust the signed directory", "守卫不信任已签名目录";
    // The Guard screen.
    Refresh => "Refresh", "刷新";
    Quarantine => "Quarantine", "隔离区";
    QuarantineEmpty => "Nothing is in quarantine.", "隔离区为空。";
    RecentCopies => "Copies from removable media", "从移动介质复制的文件";
    NoCopies => "The guard has recorded no copies.", "守卫尚未记录任何复制。";
    Entry => "Entry", "隔离条目";
    SealedAt => "Sealed at", "封存时间";
    FromMedium => "From medium", "来源介质";
    FoundIn => "Found in", "发现位置";
    ChooseEntry => "Choose an entry to release or destroy it.", "选择一个隔离条目以放行或销毁。";
    ReleaseAt => "Release as an item at", "放行入库，密级";
    ReleaseEntry => "Release as item", "放行入库";
    DestroyEntry => "Destroy entry", "销毁隔离条目";
    WitnessHint => "At or above the two-person level, another security officer signs in here as witness.", "达到双人规则密级时，须另一名安全保密员在此作为见证人登录。";
    NeedLevelAndReason => "Choose a level and give a reason", "请选择密级并填写原因";
    SameAsItem => "Same as item", "相同条目";
    Outcome => "Outcome", "处置";
    Quarantined => "quarantined", "已隔离";
    LeftInPlace => "left in place", "未移除";
    AlertedWhileNetworked => "alert (networked)", "警报（联网）";
    RecordedAirGapped => "recorded (air-gapped)", "已记录（物理隔离）";
    Held => "held", "隔离中";
    Released => "released", "已放行";
    OpenCopy => "Open in Guard", "在防护页打开";
    EntryDestroyed => "Quarantine entry destroyed", "隔离条目已销毁";
    // The media register (on the Guard screen) and the export confirmation.
    MountedMedia => "Removable media mounted now", "当前挂载的移动介质";
    NoMediaMounted => "No removable medium is mounted.", "未挂载任何移动介质。";
    MountPoint => "Mount point", "挂载点";
    Registration => "Registration", "登记情况";
    NotRegistered => "not registered", "未登记";
    RegisterMedium => "Register medium", "登记介质";
    NothingToRegister => "Every mounted medium is registered (or none is mounted).", "所有已挂载的介质均已登记（或未挂载介质）。";
    MediumLabel => "Label", "标签";
    ExpiresOn => "Expires (YYYY-MM-DD)", "有效期至（年-月-日）";
    AuthorizedUntil => "Authorized until", "授权截止";
    NeedMediumLevelLabel => "Choose a mounted medium and a level, and give a label and custodian", "请选择已挂载的介质和密级，并填写标签和保管人";
    MediaRegister => "Media register", "介质登记簿";
    RegisterEmpty => "No medium is registered.", "尚未登记任何介质。";
    HeldBy => "Held by", "持有人";
    ChooseMedium => "Choose a medium to issue, take back or retire it.", "选择一个介质以发放、收回或停用。";
    IssueTo => "Issue to", "发放给";
    IssueMedium => "Issue", "发放";
    ReturnMedium => "Take back", "收回";
    RetireMedium => "Retire", "停用";
    MediumActive => "in use", "使用中";
    MediumRetired => "retired", "已停用";
    MediumExpired => "expired", "已过期";
    RegisterIgnored => "Register events no admin key signed (ignored)", "未经管理密钥签名的登记事件（已忽略）";
    MediumRegistered => "Medium registered", "介质已登记";
    MediumChanged => "Media register changed", "介质登记簿已更新";
    // Custody: transfers, raising a level, retention, the Due list and the inventory.
    CustodyTab => "Custody", "保管";
    CustodyHeading => "Custody", "保管";
    CustodySection => "Custody of this item", "本条目的保管";
    OfferTo => "Offer custody to", "移交保管给";
    OfferNote => "Note for the recipient (recorded in plain)", "给接收人的附言（明文记录）";
    OfferCustody => "Offer custody", "提出移交";
    OfferOpen => "Offer open", "待接受的移交";
    OfferUntil => "until", "有效至";
    AcceptCustody => "Accept custody", "接受保管";
    DeclineCustody => "Decline", "拒绝";
    WithdrawOffer => "Withdraw offer", "撤回移交";
    NeedRecipient => "Type the user who is to hold it", "请输入接收保管的用户";
    NotCustodian => "Only its custodian or a security officer may", "仅限保管人或安全保密员";
    RaiseTo => "Raise level to", "提升密级至";
    RaiseReason => "Why it is raised (recorded)", "提升原因（将记录）";
    RaiseLevel => "Raise level (re-encrypt)", "提升密级（重新加密）";
    RaiseHint => "Re-encrypted under a new key at the higher level; users not cleared for it lose sight of it.", "以新密钥在更高密级重新加密；未获相应涉密等级的用户将看不到它。";
    RetainUntil => "Retain until (YYYY-MM-DD)", "保存至（年-月-日）";
    SetRetention => "Set date", "设定日期";
    ClearRetention => "No date", "取消日期";
    DueForDestruction => "due for destruction", "已到销毁期";
    NoRetention => "none", "未设定";
    OffersHeading => "Offers of custody open now", "待处理的保管移交";
    NoOffers => "No offers are open.", "没有待处理的移交。";
    DueHeading => "Due for destruction", "到期待销毁";
    NothingDue => "Nothing is due for destruction.", "没有到期待销毁的条目。";
    DaysOverdue => "Days past", "逾期天数";
    InventoryHeading => "Inventory", "库存清点";
    InventoryHint => "Checks every item against its object file and its custody history; the deep check also decrypts and hashes every item you are cleared for.", "逐一核对每个条目的密文文件与保管记录；深度核对还将解密并校验您有权查看的每个条目。";
    RunInventory => "Check objects", "核对文件";
    RunDeepInventory => "Check and decrypt (deep)", "核对并解密（深度）";
    InventoryRunning => "Inventory running", "正在清点";
    InventoryClean => "Inventory clean: every item matches its object and its history.", "清点无异常：每个条目均与其文件及保管记录相符。";
    CountItems => "items", "个条目";
    DestroyTitle => "Destroy items", "销毁条目";
    DestroyWarning => "Their keys are erased and their ciphertext overwritten and removed; this cannot be undone. One certificate of destruction covers them all.", "其密钥将被擦除，密文覆写后删除，且无法撤销。所有条目共用一份销毁证明。";
    DestroyOne => "Destroy…", "销毁…";
    DestroySelected => "Destroy…", "销毁…";
    RetentionEnded => "retention period ended", "保管期限届满";
    CertificateNumber => "Certificate of destruction", "销毁证明";
    CertificateSigned => "Signed with the station's admin key: ready for the security office.", "已用工作站管理密钥签署，可交保密办公室存档。";
    CertificateAwaiting => "Awaiting a security officer's signature before it can be saved.", "尚待安全保密员签署，签署后方可保存。";
    OpenPdf => "Open PDF", "打开 PDF";
    SaveCertificate => "Save…", "保存…";
    Finish => "Done", "完成";
    CertificatesHeading => "Certificates of destruction", "销毁证明";
    NoCertificates => "No certificates yet.", "暂无销毁证明。";
    CertificateDate => "Destroyed at", "销毁时间";
    ItemCount => "Items", "条目数";
    NoViewer => "No PDF viewer could be started", "无法启动 PDF 阅读器";
    AdviceSaveCertificate => "Save the certificate (Save…) and open certificate.pdf with another program.", "请先保存销毁证明（保存…），再用其他程序打开 certificate.pdf。";
    CertificateBy => "By", "执行人";
    CertificateStatus => "Status", "状态";
    StatusSigned => "signed", "已签署";
    StatusAwaiting => "awaiting signature", "待签署";
    StatusDisagrees => "disagrees with the ledger", "与台账不符";
    CertificatesUnreadable => "Certificates that cannot be read (changed outside Strongroom)", "无法读取的销毁证明（已在系统外被改动）";
    VerifyCertificate => "Verify", "核验";
    SignCertificate => "Sign", "签署";
    CertificateOpened => "Certificate opened", "已打开销毁证明";
    CertificateSaved => "Certificate saved", "已保存销毁证明";
    CertificateSignedNotice => "Certificate signed", "已签署销毁证明";
    CertificateVerifiedOk => "verified", "核验通过";
    CertificateVerifyFailed => "refused", "核验未通过";
    DestroyedHeading => "Destroyed items", "已销毁条目";
    NothingDestroyed => "No item has been destroyed.", "尚无已销毁的条目。";
    TombstoneHint => "What remains of each: its title and content went with it. The reason shows on the control number.", "仅保留以下记录：标题与内容已随条目销毁。将指针停在编号上可查看销毁原因。";
    DestroyedAt => "Destroyed", "销毁时间";
    DestroyedBy => "By", "销毁人";
    WitnessedBy => "Witness or approver", "见证人或批准人";
    CountDestroyed => "destroyed", "个已销毁";
    CountObjects => "object files", "个密文文件";
    OfferFromTo => "From → to", "移交方 → 接收方";
    OfferLapses => "Lapses at", "失效时间";
    InventoryDecrypted => "decrypted and hashed", "已解密校验";
    FindingMissing => "Missing object", "文件缺失";
    FindingMismatched => "Object does not match", "文件不符";
    FindingOrphan => "File no item claims", "无主文件";
    FindingHistory => "Row differs from its history", "记录与保管历史不符";
    FindingStranded => "Held by a disabled user", "保管人已停用";
    Offered => "Custody offered", "已提出移交";
    CustodyAccepted => "Custody accepted", "已接受保管";
    OfferClosed => "Offer closed", "移交已关闭";
    RetentionSet => "Retention date set", "保存期限已设定";
    Selected => "selected", "已选";
    ClearSelection => "Clear selection", "清除选择";
    SelectItem => "Select", "选择";
    RetentionDue => "Retention", "保存期限";
    StillHolds => "Still holds items; reassign them", "仍保管有条目，请改派";
    RaiseJob => "Raise", "提升密级";
    InventoryJob => "Inventory", "库存清点";
    ExportMedium => "Medium", "介质";
    ExportMediumRegistered => "registered", "已登记";
    ExportMediumUnregistered => "removable, not registered (allowed below the two-person level by policy)", "移动介质，未登记（依策略，低于双人规则密级时允许）";
    ExportMediumChecking => "checking the medium…", "正在检查介质……";
    ExportMediumFixed => "not removable media", "非移动介质";
    // Errors and refusals.
    Refused => "Refused", "已拒绝";
    Error => "Error", "错误";
    ApprovalNeeded => "Approval required", "需要审批";
    Dismiss => "OK", "确定";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_both_languages() {
        for text in Text::ALL {
            let (en, zh) = (text.get(Lang::En), text.get(Lang::Zh));
            assert!(!en.trim().is_empty(), "{text:?} has no English");
            assert!(!zh.trim().is_empty(), "{text:?} has no Chinese");
        }
    }

    #[test]
    fn chinese_texts_are_chinese() {
        // Apart from technical terms kept as they are, the Chinese column must not be a copy
        // of the English one.
        let same: Vec<_> = Text::ALL
            .iter()
            .filter(|t| t.get(Lang::En) == t.get(Lang::Zh))
            .collect();
        assert_eq!(same, [&Text::Sha256]);
    }
}
