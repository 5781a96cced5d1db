-- What wixl (msitools 0.101) has no element or attribute for, set with msibuild after it: one
-- query a line, applied by build-msi.sh. src/test reads the result back with msiinfo.
--
-- FindJava runs in the 64-bit script host (msidbCustomActionType64BitScript, 0x1000): a 32-bit one
-- would read the 32-bit registry and Program Files. (A package with Java inside has no script.)
UPDATE CustomAction SET Type=4101 WHERE Action='FindJava' AND Type=2053
-- Rollback actions (msidbCustomActionTypeRollback, 0x100): run only when the install is rolled back.
UPDATE CustomAction SET Type=3442 WHERE Action='RollbackLeakwatchService'
UPDATE CustomAction SET Type=3442 WHERE Action='RollbackFirewallRule'
-- The properties a command line may set, passed on to the installing service (wixl lists only its own).
UPDATE Property SET Value='ENABLED_COLLECTORS;LISTEN_ADDR;LISTEN_PORT;METRICS_PATH;EXTRA_FLAGS;CONFIG_FILE;REMOTE_ADDR;NOSTART;JAVA;WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED' WHERE Property='SecureCustomProperties'
-- REG_EXPAND_SZ ("#%"), so Event Viewer expands %SystemRoot%.
UPDATE Registry SET Value='#%%SystemRoot%\System32\EventCreate.exe' WHERE Name='EventMessageFile'
-- config.yaml: 64-bit (256) + permanent (16) + never overwritten (128).
UPDATE Component SET Attributes=400 WHERE Component='C_Config'
-- What the service writes, removed at uninstall (2): its log and crash files, its leak history and folder.
INSERT INTO RemoveFile (FileKey, Component_, FileName, DirProperty, InstallMode) VALUES ('ServiceLog', 'C_Jar', 'leakwatch.log*', 'APPLICATIONFOLDER', 2)
INSERT INTO RemoveFile (FileKey, Component_, FileName, DirProperty, InstallMode) VALUES ('CrashFiles', 'C_Jar', 'hs_err_pid*.log', 'APPLICATIONFOLDER', 2)
INSERT INTO RemoveFile (FileKey, Component_, FileName, DirProperty, InstallMode) VALUES ('LeakState', 'C_Jar', 'leak-state*', 'LeakwatchStateFolder', 2)
INSERT INTO RemoveFile (FileKey, Component_, DirProperty, InstallMode) VALUES ('LeakStateFolder', 'C_Jar', 'LeakwatchStateFolder', 2)
