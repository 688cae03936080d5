# expect: MI602 MI602
# why: Half-migrated runbook: both sign-ins use the managed identity, but the #Requires and Import-Module pins still name the pre-v2 Graph and pre-v3 Exchange modules.
#Requires -Modules @{ ModuleName = 'Microsoft.Graph.Authentication'; ModuleVersion = '2.0.0' }, Microsoft.Graph.Users

Import-Module ExchangeOnlineManagement -RequiredVersion 3.0.0
Import-Module Az.Accounts -MinimumVersion 2.12.1

Connect-MgGraph -Identity -NoWelcome
Connect-ExchangeOnline -ManagedIdentity -Organization 'contoso.onmicrosoft.com' -ShowBanner:$false

$shared = Get-EXOMailbox -RecipientTypeDetails SharedMailbox -ResultSize Unlimited
foreach ($mailbox in $shared) {
    $owner = Get-MgUser -UserId $mailbox.CustomAttribute1 -ErrorAction SilentlyContinue
    if (-not $owner) {
        Write-Warning "$($mailbox.PrimarySmtpAddress) has no owner on record"
    }
}
