# expect: MI101 MI102 MI401 MI303 MI501 MI502 MI503
# why: One Run As connection feeds the Azure, Graph, Exchange, SharePoint and Teams sign-ins of an offboarding runbook: every sign-in is rewritten to its managed-identity form, then the connection goes, all with safe fixes.
param(
    [Parameter(Mandatory = $true)]
    [string]$UserPrincipalName,
    [string]$Organization = 'contoso.onmicrosoft.com',
    [string]$ArchiveSite = 'https://contoso.sharepoint.com/sites/archive'
)

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null
Connect-MgGraph -Identity -NoWelcome
Connect-ExchangeOnline -ManagedIdentity -Organization $Organization -ShowBanner:$false
Connect-PnPOnline -Url $ArchiveSite -ManagedIdentity
Connect-MicrosoftTeams -Identity | Out-Null

$user = Get-MgUser -UserId $UserPrincipalName
Update-MgUser -UserId $user.Id -AccountEnabled:$false
Set-Mailbox -Identity $UserPrincipalName -Type Shared
Add-PnPFolder -Name $user.DisplayName -Folder 'Shared Documents'
Get-Team -User $UserPrincipalName | ForEach-Object {
    Remove-TeamUser -GroupId $_.GroupId -User $UserPrincipalName
}
Get-AzRoleAssignment -SignInName $UserPrincipalName | Remove-AzRoleAssignment
