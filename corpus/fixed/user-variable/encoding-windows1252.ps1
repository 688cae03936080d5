# expect: MI101 MI102 MI401 MI104
# why: Legacy Windows-1252 file (not valid UTF-8): accented letters and an en-dash byte appear in comments and strings only.
# Runbook de vérification des sauvegardes – version d'origine (compte d'identification)
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null
# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Select-AzSubscription -SubscriptionId (Get-AzContext).Subscription.Id | Out-Null

$coffres = Get-AzRecoveryServicesVault
foreach ($coffre in $coffres) {
    $echecs = Get-AzRecoveryServicesBackupJob -VaultId $coffre.ID -Status Failed
    if ($echecs) {
        Write-Warning "Coffre $($coffre.Name) – $(@($echecs).Count) sauvegarde(s) en échec"
    } else {
        Write-Output "Coffre $($coffre.Name) : aucune erreur détectée"
    }
}
